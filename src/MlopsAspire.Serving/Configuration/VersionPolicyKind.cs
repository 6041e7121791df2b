namespace MlopsAspire.Serving.Configuration;

public enum VersionPolicyKind
{
    Latest,
    Specific,
    All,
}
