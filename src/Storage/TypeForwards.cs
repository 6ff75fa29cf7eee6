using System.Runtime.CompilerServices;
using MwgActors.Storage;
using MwgActors.Storage.Mwdb;

// These types moved to MwgActors.Abstractions (same namespaces) so that the codec and the client need neither
// RocksDB nor Akka; assemblies compiled against MwgActors.Storage still find them here.
[assembly: TypeForwardedTo(typeof(IKeyValueStore))]
[assembly: TypeForwardedTo(typeof(KeyValueBatch))]
[assembly: TypeForwardedTo(typeof(BatchOperation))]
[assembly: TypeForwardedTo(typeof(KeyPrefix))]
[assembly: TypeForwardedTo(typeof(ByteArrayComparer))]
[assembly: TypeForwardedTo(typeof(StoreStats))]
[assembly: TypeForwardedTo(typeof(StoreException))]
[assembly: TypeForwardedTo(typeof(StoreErrorKind))]
[assembly: TypeForwardedTo(typeof(ValueAdmission))]
[assembly: TypeForwardedTo(typeof(MwdbBase64))]
[assembly: TypeForwardedTo(typeof(MwdbBatch))]
[assembly: TypeForwardedTo(typeof(MwdbFormatException))]
