using System.Globalization;
using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// A page of an audit trail as the management API asks for it (page size, page token, direction), turned into the
/// slice of the trail to read. A page token is the number of the event the next page starts at (oldest first) or
/// ends before (newest first): event numbers never change, so a token stays valid while the trail grows.
/// </summary>
public readonly record struct AuditPageRequest(long Start, int Count, bool NewestFirst)
{
    public const int DefaultPageSize = 100;

    // The request field, named as callers send it (like the page size's field): not a parameter of Parse.
    private static readonly string PageTokenField = "page_token";

    /// <param name="pageSizeField">The request field that carried the page size, for the error message.</param>
    public static AuditPageRequest Parse(int pageSize, string pageToken, bool newestFirst, string pageSizeField)
    {
        if (pageSize is < 0 or > AuditSlices.MaxEvents)
        {
            throw new ArgumentException(
                $"{pageSizeField} is a number of events from 1 to {AuditSlices.MaxEvents} (0 for {DefaultPageSize}); got {pageSize}.", pageSizeField);
        }

        var size = pageSize == 0 ? DefaultPageSize : pageSize;
        long? token = null;
        if (!string.IsNullOrEmpty(pageToken))
        {
            if (pageToken.Length > 19 || !long.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                throw new ArgumentException(
                    $"page_token '{AuditText.Name(pageToken)}' is not one this API returned: pass next_page_token of the previous page, or nothing for the first page.",
                    PageTokenField);
            }

            token = position;
        }

        if (!newestFirst)
        {
            return new AuditPageRequest(token ?? 0, size, NewestFirst: false);
        }

        if (token is not { } end)
        {
            return new AuditPageRequest(-size, size, NewestFirst: true);
        }

        var start = Math.Max(0, end - size);
        return new AuditPageRequest(start, (int)(end - start), NewestFirst: true);
    }

    /// <summary>The slice's events in the order asked for, each with its number, and the next page's token ("" after the last).</summary>
    public (IReadOnlyList<(TEvent Event, long Sequence)> Events, string NextPageToken) Page<TEvent>(AuditSlice<TEvent> slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var numbered = slice.Events.Select((auditEvent, index) => (auditEvent, slice.Start + index)).ToList();
        if (slice.Events.Count == 0)
        {
            return (numbered, "");
        }

        if (NewestFirst)
        {
            numbered.Reverse();
            return (numbered, slice.Start > slice.Oldest ? Token(slice.Start) : "");
        }

        var next = slice.Start + slice.Events.Count;
        return (numbered, next < slice.Total ? Token(next) : "");
    }

    private static string Token(long position) => position.ToString(CultureInfo.InvariantCulture);
}
