using System.Runtime.InteropServices;

namespace Mesh.Gateway.GuardrailsQuality;

/// <summary>CPU time of the calling thread (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)); falls back to wall time elsewhere.</summary>
/// <remarks>On a shared, loaded machine wall time counts the time the thread waited for a core; CPU time does not.</remarks>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    internal static double Seconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0)
        {
            return ts.Seconds + (ts.Nanoseconds / 1e9);
        }

        return System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
