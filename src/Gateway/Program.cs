// The CLI (serve, client commands) arrives with the single-node server issue.
Console.Error.WriteLine("mwg: the server is not built yet; see README.md.");
return 2;
