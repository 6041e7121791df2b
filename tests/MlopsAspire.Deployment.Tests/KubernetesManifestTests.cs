using k8s.Models;

namespace MlopsAspire.Deployment.Tests;

/// <summary>
/// Every overlay renders, every object is valid against the Kubernetes client's models, and the objects agree with
/// each other as a cluster would need them to: selectors select pods, ports and probes name ports that exist, every
/// Secret, ConfigMap and ServiceAccount a pod uses is there, and every container has probes and resource requests.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => [.. RenderedOverlay.OverlayNames];

    [Fact]
    public void Both_overlays_exist() => Assert.Equal(["local", "production"], RenderedOverlay.OverlayNames);

    [Fact]
    public void A_misspelled_field_fails_the_read()
    {
        const string Misspelled = """
            apiVersion: v1
            kind: Service
            metadata:
              name: typo
            spec:
              selecter:
                app: x
            """;
        Assert.ThrowsAny<Exception>(() => RenderedOverlay.Read(Misspelled));
        Assert.IsType<V1Service>(Assert.Single(RenderedOverlay.Read(Misspelled.Replace("selecter", "selector", StringComparison.Ordinal))));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_workload_the_platform_needs_is_there_with_probes_and_requests(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);

        var deployments = rendered.OfType<V1Deployment>().Select(d => d.Metadata.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["mlops-control-plane", "mlops-inference", "mlops-training"], deployments);
        var autoscaler = Assert.Single(rendered.OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal("Deployment", autoscaler.Spec.ScaleTargetRef.Kind);
        Assert.Equal("mlops-inference", autoscaler.Spec.ScaleTargetRef.Name);
        Assert.True(autoscaler.Spec.MinReplicas <= autoscaler.Spec.MaxReplicas);

        foreach (var (workload, template) in rendered.PodTemplates)
        {
            foreach (var container in template.Spec.Containers)
            {
                var where = $"{overlay}: {workload}/{container.Name}";
                Assert.True(container.ReadinessProbe is not null, $"{where} has no readiness probe");
                Assert.True(container.LivenessProbe is not null, $"{where} has no liveness probe");
                Assert.True(container.Resources?.Requests?.ContainsKey("cpu") == true && container.Resources.Requests.ContainsKey("memory"), $"{where} requests no cpu or memory");
                foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe }.OfType<V1Probe>())
                {
                    var port = probe.HttpGet?.Port ?? probe.TcpSocket?.Port;
                    Assert.True(port is not null && HasPort(container, port), $"{where}: a probe points at port {port}, which the container does not have");
                    Assert.True(probe.HttpGet is null || probe.HttpGet.Path is "/health" or "/alive", $"{where}: a probe asks {probe.HttpGet?.Path}, not /health or /alive");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_object_is_labelled_part_of_the_platform_and_no_container_sets_a_variable_twice(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        foreach (var item in rendered.Objects.OfType<IMetadata<V1ObjectMeta>>())
        {
            Assert.True(
                item.Metadata.Labels?.TryGetValue("app.kubernetes.io/part-of", out var partOf) == true && partOf == "mlopsaspire",
                $"{overlay}: {item.Metadata.Name} is not labelled app.kubernetes.io/part-of: mlopsaspire");
        }

        foreach (var (workload, template) in rendered.PodTemplates)
        {
            Assert.Equal("mlopsaspire", template.Metadata.Labels.TryGetValue("app.kubernetes.io/part-of", out var partOf) ? partOf : null);
            foreach (var container in template.Spec.Containers)
            {
                // A patch that adds a variable the base sets must replace it, not add a second one.
                var twice = (container.Env ?? []).GroupBy(variable => variable.Name, StringComparer.Ordinal).Where(group => group.Count() > 1).Select(group => group.Key);
                Assert.True(!twice.Any(), $"{overlay}: {workload}/{container.Name} sets {string.Join(", ", twice)} more than once");
            }
        }
    }

    [Fact]
    public async Task The_store_runs_in_the_cluster_locally_and_is_external_in_production()
    {
        var local = await RenderedOverlay.RenderAsync("local");
        Assert.Equal("mlops-store", Assert.Single(local.OfType<V1StatefulSet>()).Metadata.Name);
        Assert.Contains(local.OfType<V1NetworkPolicy>(), policy => policy.Metadata.Name == "mlops-store");
        Assert.Equal("true", EnvironmentOf(local, "mlops-control-plane")["ControlPlane__SeedDemoModels"]);

        var production = await RenderedOverlay.RenderAsync("production");
        Assert.Empty(production.OfType<V1StatefulSet>());
        Assert.DoesNotContain(production.Objects.OfType<IMetadata<V1ObjectMeta>>(), item => item.Metadata.Name == "mlops-store");
        var store = Assert.Single(production.OfType<V1Secret>(), secret => secret.Metadata.Name.StartsWith("mlops-store", StringComparison.Ordinal));
        Assert.Equal(["connection-string"], Keys(store.Data, store.StringData));
        Assert.Equal("false", EnvironmentOf(production, "mlops-control-plane")["ControlPlane__SeedDemoModels"]);
        Assert.Equal(3, production.OfType<V1Deployment>().Single(deployment => deployment.Metadata.Name == "mlops-control-plane").Spec.Replicas);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Services_select_pods_and_target_ports_they_have(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        foreach (var service in rendered.OfType<V1Service>())
        {
            var pods = Selected(rendered, service.Spec.Selector).ToList();
            Assert.True(pods.Count > 0, $"{overlay}: service {service.Metadata.Name} selects no pod");
            foreach (var port in service.Spec.Ports)
            {
                Assert.True(
                    pods.All(pod => pod.Spec.Containers.Any(container => HasPort(container, port.TargetPort ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                    $"{overlay}: service {service.Metadata.Name} targets port {port.TargetPort}, which its pods do not all have");
            }
        }

        foreach (var workload in rendered.OfType<V1Deployment>())
        {
            Assert.True(Matches(workload.Spec.Selector.MatchLabels, workload.Spec.Template.Metadata.Labels), $"{overlay}: {workload.Metadata.Name}'s selector does not select its own pods");
        }

        foreach (var set in rendered.OfType<V1StatefulSet>())
        {
            Assert.True(Matches(set.Spec.Selector.MatchLabels, set.Spec.Template.Metadata.Labels), $"{overlay}: {set.Metadata.Name}'s selector does not select its own pods");
            Assert.Contains(rendered.OfType<V1Service>(), service => service.Metadata.Name == set.Spec.ServiceName);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_secret_config_map_and_service_account_a_pod_uses_exists_with_its_keys(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var secrets = rendered.OfType<V1Secret>().ToDictionary(secret => secret.Metadata.Name, secret => Keys(secret.Data, secret.StringData));
        var configMaps = rendered.OfType<V1ConfigMap>().ToDictionary(map => map.Metadata.Name, map => Keys(map.Data, null));
        var accounts = rendered.OfType<V1ServiceAccount>().Select(account => account.Metadata.Name).ToHashSet();

        foreach (var (workload, template) in rendered.PodTemplates)
        {
            if (template.Spec.ServiceAccountName is { } account)
            {
                Assert.True(accounts.Contains(account), $"{overlay}: {workload} runs as service account {account}, which is not there");
            }

            foreach (var container in template.Spec.Containers)
            {
                foreach (var source in container.EnvFrom ?? [])
                {
                    Assert.True(source.ConfigMapRef is null || configMaps.ContainsKey(source.ConfigMapRef.Name), $"{overlay}: {workload} reads config map {source.ConfigMapRef?.Name}, which is not there");
                    Assert.True(source.SecretRef is null || secrets.ContainsKey(source.SecretRef.Name), $"{overlay}: {workload} reads secret {source.SecretRef?.Name}, which is not there");
                }

                foreach (var variable in container.Env ?? [])
                {
                    if (variable.ValueFrom?.SecretKeyRef is { } secretKey)
                    {
                        Assert.True(
                            secrets.TryGetValue(secretKey.Name, out var keys) && keys.Contains(secretKey.Key),
                            $"{overlay}: {workload}'s {variable.Name} reads key {secretKey.Key} of secret {secretKey.Name}, which is not there");
                    }

                    if (variable.ValueFrom?.ConfigMapKeyRef is { } mapKey)
                    {
                        Assert.True(
                            configMaps.TryGetValue(mapKey.Name, out var keys) && keys.Contains(mapKey.Key),
                            $"{overlay}: {workload}'s {variable.Name} reads key {mapKey.Key} of config map {mapKey.Name}, which is not there");
                    }
                }
            }
        }

        foreach (var binding in rendered.OfType<V1RoleBinding>())
        {
            Assert.Contains(rendered.OfType<V1Role>(), role => role.Metadata.Name == binding.RoleRef.Name);
            Assert.All(binding.Subjects, subject => Assert.Contains(subject.Name, accounts));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Network_policies_select_pods_and_name_their_ports_and_only_scrapes_reach_metrics(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var policies = rendered.OfType<V1NetworkPolicy>().ToList();
        Assert.Contains(policies, policy => policy.Spec.PodSelector.MatchLabels is null or { Count: 0 } && policy.Spec.Ingress is null or { Count: 0 });

        foreach (var policy in policies.Where(policy => policy.Spec.PodSelector.MatchLabels is { Count: > 0 }))
        {
            var pods = Selected(rendered, policy.Spec.PodSelector.MatchLabels).ToList();
            Assert.True(pods.Count > 0, $"{overlay}: network policy {policy.Metadata.Name} selects no pod");
            foreach (var rule in policy.Spec.Ingress ?? [])
            {
                foreach (var peer in rule.FromProperty ?? [])
                {
                    Assert.True(peer.PodSelector is null || Selected(rendered, peer.PodSelector.MatchLabels).Any(), $"{overlay}: network policy {policy.Metadata.Name} admits pods that do not exist");
                }

                foreach (var port in rule.Ports ?? [])
                {
                    Assert.True(pods.All(pod => pod.Spec.Containers.Any(container => HasPort(container, port.Port))), $"{overlay}: network policy {policy.Metadata.Name} names port {port.Port}, which its pods do not all have");
                    // The metrics port is for Prometheus alone: every rule that opens it names where scrapes come from.
                    Assert.False(port.Port == "metrics" && rule.FromProperty is null or { Count: 0 }, $"{overlay}: network policy {policy.Metadata.Name} opens the metrics port to everyone");
                }
            }
        }

        // Every pod that serves metrics is annotated for scraping on the port its service defaults listen on.
        foreach (var (workload, template) in rendered.PodTemplates.Where(pair => pair.Template.Spec.Containers.Any(container => HasPort(container, "metrics"))))
        {
            IDictionary<string, string> annotations = template.Metadata.Annotations ?? new Dictionary<string, string>();
            Assert.Equal("true", annotations.TryGetValue("prometheus.io/scrape", out var scrape) ? scrape : null);
            var container = template.Spec.Containers.Single(container => HasPort(container, "metrics"));
            var port = container.Ports.Single(port => port.Name == "metrics").ContainerPort;
            Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), annotations.TryGetValue("prometheus.io/port", out var scrapePort) ? scrapePort : null);
            var configured = (container.EnvFrom ?? []).Select(source => source.ConfigMapRef?.Name).OfType<string>()
                .SelectMany(name => rendered.OfType<V1ConfigMap>().Single(map => map.Metadata.Name == name).Data)
                .Concat((container.Env ?? []).Where(variable => variable.Value is not null).Select(variable => new KeyValuePair<string, string>(variable.Name, variable.Value)))
                .LastOrDefault(setting => setting.Key == "Metrics__PrometheusPort").Value;
            Assert.True(configured == port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{overlay}: {workload} exposes metrics on {port} but Metrics__PrometheusPort is {configured ?? "unset"}");
        }
    }

    private static Dictionary<string, string> EnvironmentOf(RenderedOverlay rendered, string deployment) =>
        rendered.OfType<V1Deployment>().Single(workload => workload.Metadata.Name == deployment).Spec.Template.Spec.Containers
            .SelectMany(container => container.Env ?? []).ToDictionary(variable => variable.Name, variable => variable.Value, StringComparer.Ordinal);

    private static IEnumerable<V1PodTemplateSpec> Selected(RenderedOverlay rendered, IDictionary<string, string>? selector) =>
        rendered.PodTemplates.Select(pair => pair.Template).Where(template => Matches(selector, template.Metadata.Labels));

    private static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static bool HasPort(V1Container container, IntOrString port) =>
        (container.Ports ?? []).Any(declared => declared.Name == port.Value || declared.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port.Value);

    private static HashSet<string> Keys(IDictionary<string, byte[]>? data, IDictionary<string, string>? stringData) =>
        [.. (data?.Keys ?? []).Concat(stringData?.Keys ?? [])];

    private static HashSet<string> Keys(IDictionary<string, string>? data, IDictionary<string, string>? more) =>
        [.. (data?.Keys ?? []).Concat(more?.Keys ?? [])];
}
