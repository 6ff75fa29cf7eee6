namespace MwgActors.Browser.Tests;

/// <summary>
/// The JavaScript client (clients/js/mwg.js) under Node against the real gateway: every operation, timeouts, the
/// heartbeat, lost connections (clients/js/test/client.test.mjs).
/// </summary>
public sealed class JavaScriptClientTests
{
    [NodeFact]
    public async Task Node_tests_of_every_client_operation_should_pass()
    {
        Assert.Null(Prerequisites.NodeMissing());

        var run = await NodeTestRun.RunAsync("client.test.mjs");

        run.AssertPassed();
    }
}

/// <summary>
/// Reconnect with resume (clients/js/test/resume.test.mjs): exactly once and in order across connection cuts and a
/// server restart on the same data folder; reloadAll when the resume point is older than the retained history.
/// </summary>
public sealed class JavaScriptResumeTests
{
    [NodeFact]
    public async Task Node_tests_of_resume_across_cuts_restarts_and_trimmed_history_should_pass()
    {
        Assert.Null(Prerequisites.NodeMissing());

        var run = await NodeTestRun.RunAsync("resume.test.mjs");

        run.AssertPassed();
    }
}

/// <summary>
/// The live page /ui/ in Debian's Chromium through Playwright (clients/js/test/ui.test.mjs): keys written by the
/// .NET client, live updates, a put on the page seen by <c>mwg watch</c>, the token field with authentication on.
/// Screenshots: TestResults/browser/ui.png and ui-auth.png.
/// </summary>
public sealed class LivePageBrowserTests
{
    [BrowserFact]
    public async Task Playwright_tests_of_the_live_page_in_chromium_should_pass()
    {
        Assert.Null(Prerequisites.BrowserMissing());
        Directory.CreateDirectory(NodeTestRun.Artifacts); // File.Delete throws when the folder is not there yet
        File.Delete(Path.Combine(NodeTestRun.Artifacts, "ui.png")); // a stale one must not pass for this run's

        var run = await NodeTestRun.RunAsync("ui.test.mjs");

        run.AssertPassed();
        Assert.True(File.Exists(Path.Combine(NodeTestRun.Artifacts, "ui.png")), "the screenshot artifact was not saved");
    }
}
