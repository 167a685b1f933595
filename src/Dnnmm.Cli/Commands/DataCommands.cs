
namespace Dnnmm.Cli.Commands;

public static class DataCommands
{
    public static Command Build()
    {
        var data = new Command("data", "inspect datasets");
        var info = new Command("info", "print what a dataset spec resolves to: classes, counts, image shape, labelled count");
        var binder = new DataOptionsBinder();
        binder.AddTo(info);
        info.SetAction(p =>
        {
            var prepared = DataPipeline.Prepare(binder.Read(p));
            DataPipeline.CheckClusterCount(prepared);
            p.InvocationConfiguration.Output.WriteLine(prepared.Describe());
            return 0;
        });
        data.Add(info);
        return data;
    }
}
