using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dnnmm.Infrastructure;

/// <summary>
/// Caps the instruction set of oneDNN, libtorch's CPU convolution library, at AVX2 unless the user chose one.
/// With its AVX-512 kernels, identical DNN-MM runs on an AVX-512 machine were not identical: now and then (about 1 run
/// in 4 of a tiny run: 21 of 88) the input gradient of the encoder's first convolution for the generated images came back
/// partly NaN from finite inputs, and the run restarted an epoch at half the learning rate; glibc's MALLOC_PERTURB_
/// (fresh memory filled with a finite pattern) made it disappear, which points at memory read before it is written.
/// With ONEDNN_MAX_CPU_ISA=AVX2: 0 of 72 runs. See docs/architecture.md, "Threads and TorchSharp".
/// </summary>
public static class OneDnnIsa
{
    /// <summary>The variable oneDNN reads (once, at its first convolution), and its older name.</summary>
    public const string Variable = "ONEDNN_MAX_CPU_ISA", LegacyVariable = "DNNL_MAX_CPU_ISA";

    /// <summary>The cap set when the user set neither variable.</summary>
    public const string Cap = "AVX2";

    /// <summary>
    /// Runs when the library is loaded, before any tensor exists: oneDNN reads the variable from the process's native
    /// environment at its first use, so it is set there (setenv), not only in .NET's copy.
    /// </summary>
#pragma warning disable CA2255 // a library module initializer: the cap must precede the first libtorch call of any host
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        try { Set(); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* no libc: nothing to cap */ }
    }

    /// <summary>What oneDNN will read: the user's setting, or <see cref="Cap"/> set here; null off x64.</summary>
    public static string? Effective =>
        RuntimeInformation.ProcessArchitecture != Architecture.X64 ? null
        : Environment.GetEnvironmentVariable(Variable) ?? Environment.GetEnvironmentVariable(LegacyVariable);

    private static void Set()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return; // AVX-512 is an x64 instruction set
        if (Environment.GetEnvironmentVariable(Variable) is not null || Environment.GetEnvironmentVariable(LegacyVariable) is not null) return;
        if (OperatingSystem.IsWindows()) { Environment.SetEnvironmentVariable(Variable, Cap); return; } // the process's own block there
        if (OperatingSystem.IsLinux()) LinuxSetEnv(Variable, Cap, 0);
        else if (OperatingSystem.IsMacOS()) MacSetEnv(Variable, Cap, 0);
        Environment.SetEnvironmentVariable(Variable, Cap); // and .NET's copy, so that runs can record it
    }

    [DllImport("libc.so.6", EntryPoint = "setenv")]
    private static extern int LinuxSetEnv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int MacSetEnv(string name, string value, int overwrite);
}
