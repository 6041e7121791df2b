namespace MlopsAspire.AppHost.Tests;

/// <summary>
/// --ControlPlane:Silos, --Inference:Replicas and --Training:Workers as the AppHost turns them into processes: silos
/// as resources with ports of their own, replicas and workers as replicas of one resource.
/// </summary>
public sealed class TopologyTests
{
    [Fact]
    public async Task By_default_one_silo_two_replicas_one_worker_and_the_console_on_their_fixed_ports()
    {
        var model = await AppHostModel.BuildAsync();

        var silo = Assert.Single(model.Projects, project => project.Name.StartsWith("control-plane", StringComparison.Ordinal) && !project.Name.EndsWith("-rebuilder", StringComparison.Ordinal));
        Assert.Equal("control-plane", silo.Name);
        Assert.Equal(1, AppHostModel.Processes(silo));
        Assert.Equal(8081, AppHostModel.Endpoint(silo, "grpc").Port);
        Assert.Equal(8080, AppHostModel.Endpoint(silo, "http").Port);
        Assert.False((await AppHostModel.EnvironmentAsync(silo)).ContainsKey("ControlPlane__SeedDemoModels"));

        var inference = model.Project("inference");
        Assert.Equal(2, AppHostModel.Processes(inference));
        Assert.Equal(8001, AppHostModel.Endpoint(inference, "grpc").Port);
        Assert.Equal(8000, AppHostModel.Endpoint(inference, "http").Port);

        var training = model.Project("training");
        Assert.Equal(1, AppHostModel.Processes(training));
        Assert.Equal(8090, AppHostModel.Endpoint(training, "http").Port);

        var console = AppHostModel.Endpoint(model.Project("console"), "http");
        Assert.Equal(("http", 8082), (console.UriScheme, console.Port));
    }

    [Fact]
    public async Task Three_silos_four_replicas_two_workers_each_its_own_process_and_every_silo_serves_the_management_api()
    {
        var model = await AppHostModel.BuildAsync("--ControlPlane:Silos=3", "--Inference:Replicas=4", "--Training:Workers=2");

        string[] names = ["control-plane", "control-plane-2", "control-plane-3"];
        var silos = names.Select(model.Project).ToList();
        Assert.Equal([8081, 8181, 8281], silos.Select(silo => AppHostModel.Endpoint(silo, "grpc").Port));
        Assert.Equal([8080, 8180, 8280], silos.Select(silo => AppHostModel.Endpoint(silo, "http").Port));
        foreach (var silo in silos)
        {
            Assert.Equal(1, AppHostModel.Processes(silo));
            // A silo of the one cluster, on the store, with every management key: any silo answers any caller.
            Assert.NotNull(AppHostModel.Endpoint(silo, "orleans-silo"));
            Assert.NotNull(AppHostModel.Endpoint(silo, "orleans-gateway"));
            var environment = await AppHostModel.EnvironmentAsync(silo);
            Assert.Equal("mlops", environment["Orleans__ClusterId"]);
            Assert.Contains("ConnectionStrings__store", environment.Keys);
            Assert.All(
                new[] { "Reader__reader", "Operator__operator", "Admin__admin", "Operator__training-worker" },
                key => Assert.Contains($"Management__ApiKeys__{key}", environment.Keys));
        }

        Assert.Equal(["(first seeds)", "false", "false"], await Task.WhenAll(silos.Select(async silo =>
            (await AppHostModel.EnvironmentAsync(silo)).GetValueOrDefault("ControlPlane__SeedDemoModels", "(first seeds)"))));
        Assert.Equal(4, AppHostModel.Processes(model.Project("inference")));
        Assert.Equal(2, AppHostModel.Processes(model.Project("training")));
        Assert.DoesNotContain(model.Projects, project => project.Name == "control-plane-4");
    }

    [Fact]
    public async Task Silos_beyond_the_first_get_orchestrator_chosen_ports_when_the_first_does()
    {
        var model = await AppHostModel.BuildAsync("--ControlPlane:Silos=2", "--ControlPlane:GrpcPort=0", "--ControlPlane:HttpPort=0");

        foreach (var silo in new[] { "control-plane", "control-plane-2" }.Select(model.Project))
        {
            Assert.Null(AppHostModel.Endpoint(silo, "grpc").Port);
            Assert.Null(AppHostModel.Endpoint(silo, "http").Port);
        }
    }

    [Theory]
    [InlineData("--Training:Workers=0")]
    [InlineData("--Training:Enabled=false")]
    public async Task No_worker_when_none_is_asked_for(string argument)
    {
        var model = await AppHostModel.BuildAsync(argument);
        Assert.DoesNotContain(model.Projects, project => project.Name == "training");
    }

    [Theory]
    [InlineData("--ControlPlane:Silos=0", "ControlPlane:Silos is '0': give a whole number from 1 to 16.")]
    [InlineData("--ControlPlane:Silos=17", "ControlPlane:Silos is '17': give a whole number from 1 to 16.")]
    [InlineData("--Inference:Replicas=two", "Inference:Replicas is 'two': give a whole number from 1 to 64.")]
    [InlineData("--Inference:Replicas=-1", "Inference:Replicas is '-1': give a whole number from 1 to 64.")]
    [InlineData("--Training:Workers=1.5", "Training:Workers is '1.5': give a whole number from 0 to 16.")]
    public async Task A_count_out_of_range_is_refused_naming_the_setting_and_its_range(string argument, string message)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AppHostModel.BuildAsync(argument));
        Assert.Equal(message, refused.Message);
    }
}
