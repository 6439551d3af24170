namespace Mesh.Gateway.Guardrails.Internal;

internal static class Lists
{
    /// <summary><see cref="List{T}.RemoveAll"/> with the predicate's state passed in, so a static lambda allocates no closure
    /// (the scans run for every delta of every stream).</summary>
    public static void RemoveWhere<T, TState>(this List<T> list, Func<T, TState, bool> match, TState state)
    {
        var kept = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (!match(list[i], state))
            {
                list[kept++] = list[i];
            }
        }

        list.RemoveRange(kept, list.Count - kept);
    }
}
