using System.CommandLine;
using Retail.AppHost;

// Ctrl+C, SIGTERM and SIGQUIT are the AppHost's own (ShutdownSignal): it stops every child before it exits. System.CommandLine's
// handling of them would end the process 2 s after the signal, whatever was still running.
return await AppHostCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
