using AspNetHost;
using MwgActors.Gateway;

var builder = WebApplication.CreateBuilder(args);

// MwgActors from the "Mwg" section of appsettings.json (Mwg:Storage:Path is mwg.storage.path), which environment
// variables (Mwg__Storage__Path) and the command line (--Mwg:Storage:Path=DIR) override as usual.
builder.Services.AddMwgActors(builder.Configuration.GetSection("Mwg"));
builder.Services.Configure<ClockOptions>(builder.Configuration.GetSection("Clock"));
builder.Services.AddHostedService<ClockWriter>();

var app = builder.Build();
app.MapGet("/", () => "AspNetHost sample: MwgActors websockets at /mwg; the clock writes clock/now and clock/ticks\n");
app.MapMwgActors("/mwg");

await app.StartAsync();
foreach (var url in app.Urls)
{
    // The bound addresses (the real port when --urls asked for port 0), as websocket URLs of the endpoint.
    Console.WriteLine($"mwg endpoint {url.Replace("http", "ws", StringComparison.Ordinal)}/mwg");
}

await app.WaitForShutdownAsync();
