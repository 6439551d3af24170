using StackExchange.Redis;

namespace Mesh.Gateway.Tenancy.Stores.Redis;

/// <summary>Counters in Redis, shared by every sidecar that points at the same server; each operation is one Lua script.</summary>
/// <remarks>Any Redis failure (down, timed out, refused) is a value, <see cref="CounterOutcome.StoreUnavailable"/>: the limiter decides.</remarks>
internal sealed class RedisCounterStore(Func<IDatabase?> database) : ICounterStore
{
    public RedisCounterStore(IDatabase database)
        : this(() => database)
    {
    }

    public string Name => "redis";

    public async ValueTask<CounterAdmission> TryReserveAsync(string reservationId, IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(charges);
        var keys = new RedisKey[charges.Count];
        var args = new RedisValue[1 + (charges.Count * 4)];
        args[0] = reservationId;
        for (var i = 0; i < charges.Count; i++)
        {
            var charge = charges[i];
            keys[i] = charge.Key;
            args[1 + (i * 4)] = KindCode(charge.Kind);
            args[2 + (i * 4)] = charge.Limit;
            args[3 + (i * 4)] = (long)charge.Window.TotalMilliseconds;
            args[4 + (i * 4)] = charge.Amount;
        }

        var redis = database();
        if (redis is null)
        {
            return CounterAdmission.Unavailable("not connected to Redis yet");
        }

        long[] items;
        try
        {
            var reply = await redis.ScriptEvaluateAsync(CounterScripts.Reserve, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
            items = (long[]?)reply ?? [];
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            return CounterAdmission.Unavailable(ex.Message);
        }

        var states = new CounterState[(items.Length - 3) / 2];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = new CounterState(items[3 + (2 * i)], TimeSpan.FromMilliseconds(Math.Max(0, items[4 + (2 * i)])));
        }

        if (items[0] == 1)
        {
            return new CounterAdmission { Outcome = CounterOutcome.Admitted, States = states };
        }

        var retry = items[2];
        return new CounterAdmission
        {
            Outcome = CounterOutcome.Denied,
            DeniedIndex = (int)items[1] - 1,
            RetryAfter = retry < 0 ? null : TimeSpan.FromMilliseconds(retry),
            States = states,
        };
    }

    public async ValueTask<bool> SettleAsync(string reservationId, IReadOnlyList<CounterSettlement> settlements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settlements);
        if (settlements.Count == 0)
        {
            return true;
        }

        var keys = new RedisKey[settlements.Count];
        var args = new RedisValue[1 + (settlements.Count * 3)];
        args[0] = reservationId;
        for (var i = 0; i < settlements.Count; i++)
        {
            var (charge, actual) = settlements[i];
            keys[i] = charge.Key;
            args[1 + (i * 3)] = KindCode(charge.Kind);
            args[2 + (i * 3)] = charge.Amount;
            args[3 + (i * 3)] = actual;
        }

        var redis = database();
        if (redis is null)
        {
            return false;
        }

        try
        {
            await redis.ScriptEvaluateAsync(CounterScripts.Settle, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            return false;
        }
    }

    /// <summary>What StackExchange.Redis throws when the server is down, slow or refuses (its timeout is not a RedisException).</summary>
    private static bool IsStoreFailure(Exception ex) => ex is RedisException or RedisTimeoutException or ObjectDisposedException;

    private static string KindCode(CounterKind kind) => kind switch
    {
        CounterKind.SlidingWindow => "w",
        CounterKind.FixedPeriod => "f",
        _ => "c",
    };
}
