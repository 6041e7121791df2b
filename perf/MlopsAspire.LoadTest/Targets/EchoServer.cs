using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using MlopsAspire.LoadTest.Echo;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>The transport limit: answers each call with a prepared payload of the size asked for, doing no work.</summary>
public sealed class EchoGrpcService : EchoService.EchoServiceBase
{
    private static readonly ConcurrentDictionary<int, EchoReply> Replies = new();

    public override Task<EchoReply> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(Replies.GetOrAdd(request.ReplyBytes, static size => new EchoReply { Payload = ByteString.CopyFrom(new byte[size]) }));

    public static Task<LoopbackGrpcHost> StartAsync() =>
        LoopbackGrpcHost.StartAsync(_ => { }, app => app.MapGrpcService<EchoGrpcService>());
}
