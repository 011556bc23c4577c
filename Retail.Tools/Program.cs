using System.CommandLine;
using Retail.Tools.App;
using Retail.Tools.Erp;
using Retail.Tools.Simulation;
using Retail.Tools.Tokens;

var stateDirectory = RunningApp.StateDirectoryOption();
var root = new RootCommand("Developer tools for a running Retail (dotnet run --project Retail.AppHost): tokens, the ERP console, the traffic simulator.")
{
    stateDirectory,
    TokenCommand.Create(stateDirectory),
    ErpCommand.Create(stateDirectory),
    SimulateCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
