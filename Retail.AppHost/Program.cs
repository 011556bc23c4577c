using Retail.AppHost;

return await AppHostCommand.Create().Parse(args).InvokeAsync();
