using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// The store-side halves of the payload log's byte budget: each runs as one script, so replicas writing at once
/// and a feedback join cannot both spend the same bytes or both take the same payload.
/// </summary>
/// <remarks>
/// A model's ledger is a hash: <c>used</c> (bytes of payloads waiting), <c>oldest</c> (the first Unix minute not yet
/// given back) and, per Unix minute, the bytes of the payloads whose lifetime ends by then. Writing gives back the
/// minutes that have passed (payloads the store expired or evicted), joining gives back what it takes, so the budget
/// never leaks. Written for Lua 5.1 (Redis) and 5.4 (Garnet) alike: whole numbers only, fields passed as strings.
/// </remarks>
[SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "EVALSHA names a script by its SHA-1; nothing is protected by it.")]
internal static class PayloadLogScripts
{
    /// <summary>SHA-1 of <see cref="Write"/>, to run it by <c>EVALSHA</c> without sending its text each time.</summary>
    public static readonly byte[] WriteHash = SHA1.HashData(Encoding.UTF8.GetBytes(Write));

    /// <summary>SHA-1 of <see cref="Take"/>.</summary>
    public static readonly byte[] TakeHash = SHA1.HashData(Encoding.UTF8.GetBytes(Take));

    /// <summary>
    /// Logs payloads of one model. KEYS: the ledger, then the pending keys of the n payloads, then their duplicate
    /// counters. ARGV: n, now (Unix minute), budget (bytes), ledger lifetime (ms), then per payload its value, its
    /// lifetime (ms) and the minute its bytes are given back. Returns per payload 1 (logged), 0 (its id is already
    /// waiting: the first payload stays, and the id is marked as sent again for as long as it waits) or -1 (over the
    /// budget: not logged). Bytes of a payload: its key and its value.
    /// </summary>
    public const string Write = """
        local ledger = KEYS[1]
        local n = tonumber(ARGV[1])
        local now = tonumber(ARGV[2])
        local budget = tonumber(ARGV[3])
        local state = redis.call('HMGET', ledger, 'used', 'oldest')
        local used = tonumber(state[1] or '0')
        local oldest = tonumber(state[2] or ARGV[2])
        if now >= oldest then
          if now - oldest > redis.call('HLEN', ledger) then
            local fields = redis.call('HGETALL', ledger)
            for i = 1, #fields, 2 do
              local minute = tonumber(fields[i])
              if minute and minute <= now then
                used = used - tonumber(fields[i + 1])
                redis.call('HDEL', ledger, fields[i])
              end
            end
          else
            for minute = oldest, now do
              local field = tostring(minute)
              local bytes = redis.call('HGET', ledger, field)
              if bytes then
                used = used - tonumber(bytes)
                redis.call('HDEL', ledger, field)
              end
            end
          end
          oldest = now + 1
        end
        if used < 0 then used = 0 end
        local results = {}
        local charged = {}
        for i = 1, n do
          local key = KEYS[1 + i]
          local value = ARGV[3 * i + 2]
          local size = #key + #value
          local logged = false
          if used + size <= budget then
            logged = redis.call('SET', key, value, 'NX', 'PX', ARGV[3 * i + 3])
          end
          if logged then
            -- A writer whose clock is behind charges the oldest minute still held, never one already given back.
            local release = tonumber(ARGV[3 * i + 4])
            if release < oldest then release = oldest end
            charged[release] = (charged[release] or 0) + size
            used = used + size
            results[i] = 1
          elseif redis.call('EXISTS', key) == 1 then
            local duplicates = KEYS[1 + n + i]
            redis.call('INCR', duplicates)
            local left = redis.call('PTTL', key)
            if left > 0 then redis.call('PEXPIRE', duplicates, left) end
            results[i] = 0
          else
            results[i] = -1
          end
        end
        for release, bytes in pairs(charged) do
          redis.call('HINCRBY', ledger, tostring(release), bytes)
        end
        redis.call('HSET', ledger, 'used', tostring(used), 'oldest', tostring(oldest))
        redis.call('PEXPIRE', ledger, ARGV[4])
        return results
        """;

    /// <summary>
    /// Takes waiting payloads of one model and gives their bytes back. KEYS: the ledger, then the pending keys of the
    /// n labels' requests, then their duplicate counters, then their labelled marks. ARGV: n, then the n labels'
    /// fingerprints. Returns per label three values: the payload ('' when none waits), how many more times its id was
    /// logged while it waited, and, when none waits, the fingerprint of the label that took it ('' when none did). A
    /// taken payload leaves its label's fingerprint as its mark for the rest of the payload's lifetime, so a label sent
    /// again is told apart from one for a request never logged; marks are as many as the payloads they replace and
    /// live no longer. A payload's minute is the last 8 bytes of its value (little-endian); one whose minute was
    /// already given back releases nothing twice.
    /// </summary>
    public const string Take = """
        local ledger = KEYS[1]
        local n = tonumber(ARGV[1])
        local released = 0
        local results = {}
        for i = 1, n do
          local key = KEYS[1 + i]
          local value = redis.call('GET', key)
          if value then
            local duplicates = redis.call('GET', KEYS[1 + n + i])
            local left = redis.call('PTTL', key)
            redis.call('DEL', key, KEYS[1 + n + i])
            if left > 0 then redis.call('SET', KEYS[1 + 2 * n + i], ARGV[1 + i], 'PX', left) end
            if #value > 8 and string.byte(value, 1) == 2 then
              local minute = 0
              for b = #value, #value - 7, -1 do minute = minute * 256 + string.byte(value, b) end
              local field = tostring(minute)
              local held = redis.call('HGET', ledger, field)
              if held then
                held = tonumber(held)
                local size = #key + #value
                if size >= held then
                  redis.call('HDEL', ledger, field)
                  released = released + held
                else
                  redis.call('HSET', ledger, field, tostring(held - size))
                  released = released + size
                end
              end
            end
            results[3 * i - 2] = value
            results[3 * i - 1] = tonumber(duplicates or '0')
            results[3 * i] = ''
          else
            results[3 * i - 2] = ''
            results[3 * i - 1] = 0
            results[3 * i] = redis.call('GET', KEYS[1 + 2 * n + i]) or ''
          end
        end
        if released > 0 then
          local used = tonumber(redis.call('HGET', ledger, 'used') or '0') - released
          if used < 0 then used = 0 end
          redis.call('HSET', ledger, 'used', tostring(used))
        end
        return results
        """;
}
