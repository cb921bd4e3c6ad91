using System.CommandLine;
using AncOrleans.Cli.Classify;
using AncOrleans.Cli.Eval;
using AncOrleans.Cli.Load;
using AncOrleans.Cli.Sim;

// anc: the AncOrleans command line. Each sub-command lives in its own folder.
var root = new RootCommand("AncOrleans command line: evaluate cancellers, simulate devices, classify audio.")
{
    EvalCommand.Create(),
    SimCommand.Create(),
    LoadCommand.Create(),
    ClassifyCommand.Create(),
    EmergencyEvalCommand.Create(),
    TrainClassifierCommand.Create(),
    TrainTaggerHeadCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
