using BenchmarkDotNet.Running;

// Release builds only: dotnet run -c Release --project bench/MwgActors.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
