using Mlops.V1;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// The role each operation needs, by gRPC method path (<c>/package.Service/Method</c>), so services sharing the
/// API-key interceptor never collide on a method name. An operation not listed needs admin: new ones are closed by default.
/// </summary>
public static class ManagementPermissions
{
    private static readonly Dictionary<string, ManagementRole> Required = new(StringComparer.Ordinal)
    {
        [Management(nameof(ModelManagement.ModelManagementBase.ListModels))] = ManagementRole.Reader,
        [Management(nameof(ModelManagement.ModelManagementBase.GetModel))] = ManagementRole.Reader,
        [Management(nameof(ModelManagement.ModelManagementBase.GetVersion))] = ManagementRole.Reader,
        [Management(nameof(ModelManagement.ModelManagementBase.ListEndpoints))] = ManagementRole.Reader,
        [Management(nameof(ModelManagement.ModelManagementBase.GetAuditLog))] = ManagementRole.Reader,
        [Management(nameof(ModelManagement.ModelManagementBase.WatchModel))] = ManagementRole.Reader,
        [Management(nameof(ModelManagement.ModelManagementBase.RegisterModel))] = ManagementRole.Operator,
        [Management(nameof(ModelManagement.ModelManagementBase.SetShadow))] = ManagementRole.Operator,
        [Management(nameof(ModelManagement.ModelManagementBase.SetCanary))] = ManagementRole.Operator,
        [Management(nameof(ModelManagement.ModelManagementBase.Promote))] = ManagementRole.Operator,
        [Management(nameof(ModelManagement.ModelManagementBase.Rollback))] = ManagementRole.Operator,
        [Management(nameof(ModelManagement.ModelManagementBase.Retire))] = ManagementRole.Operator,
        [Management(nameof(ModelManagement.ModelManagementBase.RequestRetraining))] = ManagementRole.Operator,
        [Management(nameof(ModelManagement.ModelManagementBase.GetRetraining))] = ManagementRole.Reader,
        [Management(nameof(ModelManagement.ModelManagementBase.SetRetrainingPolicy))] = ManagementRole.Operator,
        [Management(nameof(ModelManagement.ModelManagementBase.GetSecurityAuditLog))] = ManagementRole.Admin,
        [Management(nameof(ModelManagement.ModelManagementBase.GetCaller))] = ManagementRole.Reader,
        [Monitoring(nameof(ModelMonitoring.ModelMonitoringBase.GetStats))] = ManagementRole.Reader,
        [Monitoring(nameof(ModelMonitoring.ModelMonitoringBase.GetGates))] = ManagementRole.Reader,
        [Monitoring(nameof(ModelMonitoring.ModelMonitoringBase.SendFeedback))] = ManagementRole.Operator,
        [Monitoring(nameof(ModelMonitoring.ModelMonitoringBase.SetPromotionPolicy))] = ManagementRole.Operator,
    };

    /// <param name="method">The gRPC method path, e.g. <c>/mlops.v1.ModelManagement/Promote</c>.</param>
    public static ManagementRole RequiredRole(string method) => Required.GetValueOrDefault(method, ManagementRole.Admin);

    /// <summary>The method's name without its service, for messages and the security audit.</summary>
    public static string OperationName(string method) => method[(method.LastIndexOf('/') + 1)..];

    private static string Management(string method) => $"/{ModelManagement.Descriptor.FullName}/{method}";

    private static string Monitoring(string method) => $"/{ModelMonitoring.Descriptor.FullName}/{method}";
}
