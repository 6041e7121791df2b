using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlopsAspire.AppHost;

/// <summary>
/// Healthy when a Redis-protocol server accepts the password and answers PING on the endpoint. A raw RESP
/// exchange keeps the AppHost free of a Redis client and works the same for Garnet and Redis.
/// </summary>
internal sealed class RedisPingHealthCheck(Func<(string Host, int Port)> endpoint, ParameterResource password) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (host, port) = endpoint();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var secret = await password.GetValueAsync(timeout.Token) ?? "";

            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Command("AUTH", secret).Concat(Command("PING")).ToArray(), timeout.Token);

            // Two replies: AUTH's, then PING's; an error in the first explains the second.
            var replies = await ReadLinesAsync(stream, count: 2, timeout.Token);
            return replies is ["+OK", "+PONG"]
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"AUTH and PING to {host}:{port} answered '{string.Join(" | ", replies)}'");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"PING to {host}:{port} failed: {ex.Message}");
        }
    }

    private static byte[] Command(params string[] parts)
    {
        var text = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task<string[]> ReadLinesAsync(NetworkStream stream, int count, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[256];
        string[] lines;
        while ((lines = received.ToString().Split("\r\n"))[..^1].Length < count)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
                break;
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return lines[..^1];
    }
}
