namespace Mesh.Gateway.Tenancy.Stores.Redis;

/// <summary>The Lua scripts behind <see cref="RedisCounterStore"/>: each runs atomically on the server.</summary>
/// <remarks>
/// StackExchange.Redis runs them by SHA1 (EVALSHA) once a server has seen them, and sends the source again after a
/// NOSCRIPT (a restarted or flushed server). Every key one call passes shares its tenant's hash tag, and so does the
/// <c>key:sum</c> companion a sliding window derives, so each call touches one Cluster slot.
/// Time comes from the server's TIME so that sidecars with skewed clocks share one clock. Sliding windows are logs:
/// a sorted set of <c>reservationId|amount</c> scored by time plus a running sum (<c>key:sum</c>), so a check is exact
/// and costs only the entries that expired since the last one. Settling rewrites a reservation's member with its real amount.
/// </remarks>
internal static class CounterScripts
{
    public const string Reserve = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local rid = ARGV[1]
        local out = {1, 0, -1}
        local function amount_of(member)
          return tonumber(string.match(member, '|(%-?%d+)$'))
        end
        for i = 1, #KEYS do
          local key = KEYS[i]
          local a = 2 + (i - 1) * 4
          local kind, limit, window, amount = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
          local used, reset = 0, 0
          if kind == 'w' then
            local sumkey = key .. ':sum'
            local cutoff = now - window
            local old = redis.call('ZRANGEBYSCORE', key, '-inf', cutoff)
            used = tonumber(redis.call('GET', sumkey) or '0')
            if #old > 0 then
              for _, m in ipairs(old) do used = used - amount_of(m) end
              redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff)
              redis.call('SET', sumkey, used, 'KEEPTTL')
            end
            local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
            if #head == 0 then
              used = 0
              redis.call('DEL', sumkey)
            else
              reset = tonumber(head[2]) + window - now
            end
          elseif kind == 'f' then
            used = tonumber(redis.call('GET', key) or '0')
            local ttl = redis.call('PTTL', key)
            if ttl > 0 then reset = ttl end
          else
            redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
            used = redis.call('ZCARD', key)
          end
          out[#out + 1] = used
          out[#out + 1] = reset
          if used + amount > limit then
            out[1] = 0
            out[2] = i
            if amount > limit then
              out[3] = -1
            elseif kind == 'w' then
              local need = used + amount - limit
              local freed = 0
              local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
              out[3] = window
              for j = 1, #entries, 2 do
                freed = freed + amount_of(entries[j])
                if freed >= need then
                  out[3] = math.max(1, tonumber(entries[j + 1]) + window - now)
                  break
                end
              end
            elseif kind == 'f' then
              if reset > 0 then out[3] = reset else out[3] = window end
            else
              out[3] = -1
            end
            return out
          end
        end
        for i = 1, #KEYS do
          local key = KEYS[i]
          local a = 2 + (i - 1) * 4
          local kind, window, amount = ARGV[a], tonumber(ARGV[a + 2]), ARGV[a + 3]
          if kind == 'w' then
            redis.call('ZADD', key, now, rid .. '|' .. amount)
            redis.call('INCRBY', key .. ':sum', amount)
            redis.call('PEXPIRE', key, window + 1000)
            redis.call('PEXPIRE', key .. ':sum', window + 1000)
          elseif kind == 'f' then
            redis.call('INCRBY', key, amount)
            if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, window) end
          else
            redis.call('ZADD', key, now + window, rid)
            redis.call('PEXPIRE', key, window + 1000)
          end
        end
        return out
        """;

    public const string Settle = """
        local rid = ARGV[1]
        for i = 1, #KEYS do
          local key = KEYS[i]
          local a = 2 + (i - 1) * 3
          local kind, reserved, actual = ARGV[a], ARGV[a + 1], ARGV[a + 2]
          if kind == 'w' then
            local member = rid .. '|' .. reserved
            local score = redis.call('ZSCORE', key, member)
            if score then
              redis.call('ZREM', key, member)
              redis.call('ZADD', key, score, rid .. '|' .. actual)
              redis.call('INCRBY', key .. ':sum', tonumber(actual) - tonumber(reserved))
            end
          elseif kind == 'f' then
            if redis.call('EXISTS', key) == 1 then
              redis.call('INCRBY', key, tonumber(actual) - tonumber(reserved))
            end
          else
            redis.call('ZREM', key, rid)
          end
        end
        return 1
        """;
}
