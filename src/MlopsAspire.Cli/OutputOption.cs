using System.CommandLine;

namespace MlopsAspire.Cli;

/// <summary>
/// <c>--output table|json</c> of every command that prints what it read or did: tables for people (the default), or
/// the gRPC response as one JSON document on standard output for scripts.
/// </summary>
internal sealed class OutputOption
{
    public const string Table = "table";
    public const string Json = "json";

    public Option<string> Option { get; } = CreateOption();

    public bool IsJson(ParseResult result) => result.GetValue(Option) == Json;

    private static Option<string> CreateOption()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "table for people, or json for scripts: the response as one JSON document with the API's proto field names, nothing else on standard output.",
            DefaultValueFactory = _ => Table,
        };
        option.AcceptOnlyFromAmong(Table, Json);
        return option;
    }
}
