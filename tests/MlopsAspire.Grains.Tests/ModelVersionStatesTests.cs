using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains.Tests;

/// <summary>The lifecycle table decides every move, and words every refusal.</summary>
public sealed class ModelVersionStatesTests
{
    public static TheoryData<ModelVersionState, ModelVersionState> EveryMove()
    {
        var moves = new TheoryData<ModelVersionState, ModelVersionState>();
        foreach (var from in Enum.GetValues<ModelVersionState>())
        {
            foreach (var to in Enum.GetValues<ModelVersionState>())
            {
                moves.Add(from, to);
            }
        }

        return moves;
    }

    [Theory]
    [MemberData(nameof(EveryMove))]
    public void A_move_is_refused_exactly_when_the_table_does_not_list_it(ModelVersionState from, ModelVersionState to)
    {
        var refusal = ModelVersionStates.Refusal(from, to);

        Assert.Equal(ModelVersionStates.CanMove(from, to), refusal is null);
        Assert.Equal(ModelVersionStates.CanMove(from, to), ModelVersionStates.PreviousStates(to).Contains(from));
    }

    [Theory]
    [InlineData(ModelVersionState.Failed, ModelVersionState.Shadow, "only Ready, Shadow or Canary versions can shadow production")]
    [InlineData(ModelVersionState.Validating, ModelVersionState.Canary, "only Ready, Shadow or Canary versions can be made the canary")]
    [InlineData(ModelVersionState.Registered, ModelVersionState.Production, "only Ready, Shadow or Canary versions can be promoted")]
    [InlineData(ModelVersionState.Ready, ModelVersionState.Validating, "only Registered versions can start validation")]
    [InlineData(ModelVersionState.Production, ModelVersionState.Shadow, "the production version cannot shadow itself")]
    [InlineData(ModelVersionState.Production, ModelVersionState.Canary, "the production version cannot be its own canary")]
    [InlineData(ModelVersionState.Production, ModelVersionState.Retired, "the production version cannot be retired; promote another version or roll back first")]
    public void A_refusal_names_the_rule_and_what_is_allowed(ModelVersionState from, ModelVersionState to, string expected)
    {
        Assert.Equal(expected, ModelVersionStates.Refusal(from, to));
    }

    [Fact]
    public void Only_a_version_that_can_still_pass_or_fail_records_its_validation()
    {
        Assert.Null(ModelVersionStates.ValidationRefusal(ModelVersionState.Registered));
        Assert.Null(ModelVersionStates.ValidationRefusal(ModelVersionState.Validating));
        // A shadow may go back to Ready, but it has been validated: it cannot fail validation now.
        Assert.Equal("only Registered or Validating versions can be validated", ModelVersionStates.ValidationRefusal(ModelVersionState.Shadow));
    }
}
