using Google.Protobuf.Reflection;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.ControlPlane.Management;
using MlopsAspire.Grains.Monitoring;
using MlopsAspire.Monitoring.Drift;
using MlopsAspire.Monitoring.Gates;
using MlopsAspire.Monitoring.Mapping;
using Proto = Mlops.V1;

namespace MlopsAspire.ControlPlane.Tests.Policies;

/// <summary>
/// Each policy is defined once and carried by a grain message and a wire message. These tests fail when a field is
/// added to one form and not to another, or not copied between them.
/// </summary>
public sealed class PolicyMappingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_field_of_a_promotion_policy_survives_the_grain_and_wire_forms(bool limitsOff)
    {
        var policy = DistinctValues.Of<PromotionPolicy>(nullOptional: limitsOff);

        var back = MonitoringMapper.ToPolicy(PolicyProtoMapping.FromProto(MonitoringMapper.ToMessage(policy).ToProto()));

        Assert.Equal(policy, back);
    }

    [Fact]
    public void A_promotion_policy_has_the_same_fields_in_the_library_the_grains_and_on_the_wire()
    {
        var definition = DistinctValues.Fields<PromotionPolicy>();

        Assert.Equal(definition.OrderBy(field => field.Key), DistinctValues.Fields<PromotionPolicyData>().OrderBy(field => field.Key));
        Assert.Equal(definition.Keys.Order(), WireFields(Proto.PromotionPolicy.Descriptor));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_field_of_a_retraining_policy_survives_the_wire_form(bool noSchedule)
    {
        var policy = DistinctValues.Of<RetrainingPolicyData>(nullOptional: noSchedule);

        Assert.Equal(policy, PolicyProtoMapping.FromProto(policy.ToProto()));
    }

    [Fact]
    public void A_retraining_policy_has_the_same_fields_in_the_grains_and_on_the_wire()
    {
        Assert.Equal(DistinctValues.Fields<RetrainingPolicyData>().Keys.Order(), WireFields(Proto.RetrainingPolicy.Descriptor));
    }

    [Fact]
    public void Every_drift_threshold_comes_from_the_monitoring_policy()
    {
        var thresholds = DistinctValues.Of<MonitoringPolicy>().ToThresholds();

        foreach (var property in typeof(DriftThresholds).GetProperties().Where(p => p.CanWrite))
        {
            Assert.NotEqual(property.GetValue(DriftThresholds.Default), property.GetValue(thresholds));
        }
    }

    [Fact]
    public void Every_monitoring_default_in_the_silo_configuration_reaches_the_policy()
    {
        var options = DistinctValues.Of<MonitoringDefaultsOptions>();

        var policy = options.ToPolicy();

        foreach (var property in typeof(MonitoringDefaultsOptions).GetProperties().Where(p => p.CanWrite))
        {
            Assert.Equal(property.GetValue(options), typeof(MonitoringPolicy).GetProperty(property.Name)!.GetValue(policy));
        }
    }

    private static IEnumerable<string> WireFields(MessageDescriptor message) =>
        message.Fields.InDeclarationOrder().Select(field => field.PropertyName).Order();
}
