using System.Globalization;
using System.Text;

namespace MwgActors.LoadGen;

/// <summary>
/// What the <c>resume</c> scenario measured: the revisions the subscriber missed while away, what its resume
/// delivered (each missed revision exactly once, or a reload-all instead), and how long the catch-up took from
/// the resume request's send. Times in milliseconds.
/// </summary>
internal sealed record ResumeResult(
    long SinceRevision,
    long LastRevision,
    long MissedRevisions,
    long MissedChanges,
    long ReceivedRevisions,
    long ReceivedChanges,
    long Missing,
    long Duplicates,
    long Unexpected,
    bool ReloadAll,
    double WriteSeconds,
    double? ReplyMilliseconds,
    double? CatchUpMilliseconds,
    IReadOnlyList<long> FirstMissing)
{
    public bool CaughtUp => CatchUpMilliseconds is not null && Missing == 0 && Duplicates == 0 && !ReloadAll;

    public double? RevisionsPerSecond => CatchUpMilliseconds is { } ms and > 0 ? MissedRevisions / (ms / 1000) : null;

    public double? ChangesPerSecond => CatchUpMilliseconds is { } ms and > 0 ? MissedChanges / (ms / 1000) : null;

    public void AppendTo(StringBuilder text)
    {
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"resume: since revision {SinceRevision}, missed {MissedRevisions} revisions ({MissedChanges} key changes, written in {WriteSeconds:F1} s) up to revision {LastRevision}");
        if (ReloadAll)
        {
            text.AppendLine("the server sent RELOAD_ALL instead of the missed changes: the resume point is outside its retained history (raise mwg.storage.retain-revisions / retain-age), or its outbound queue for this connection overflowed (mwg.connection.outbound-max-frames / -bytes)");
        }

        text.AppendLine(CatchUpMilliseconds is { } ms
            ? string.Create(c, $"caught up in {ms:F1} ms from the resume's send ({RevisionsPerSecond:F0} revisions/s, {ChangesPerSecond:F0} changes/s); subscribe reply after {ReplyMilliseconds:F1} ms")
            : string.Create(c, $"NOT caught up; subscribe reply {(ReplyMilliseconds is { } reply ? $"after {reply:F1} ms" : "never came")}"));
        text.AppendLine(c, $"received {ReceivedRevisions} of {MissedRevisions} revisions and {ReceivedChanges} of {MissedChanges} changes: {Missing} missing, {Duplicates} duplicated, {Unexpected} unexpected");
        if (FirstMissing.Count > 0)
        {
            text.AppendLine(c, $"first missing revisions: {string.Join(", ", FirstMissing)}");
        }
    }
}
