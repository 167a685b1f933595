using System.Runtime.InteropServices;
using Dnnmm.Infrastructure;

namespace Dnnmm.Tests.Infrastructure;

public class OneDnnIsaTests
{
    [DllImport("libc.so.6", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(string name);

    [Fact]
    public void TheCapIsInTheNativeEnvironmentBeforeAnyConvolution()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64) return;
        // oneDNN reads getenv, not .NET's copy of the environment
        var p = GetEnv(OneDnnIsa.Variable);
        string? native = p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);
        string? user = Environment.GetEnvironmentVariable(OneDnnIsa.LegacyVariable);
        if (user is null) Assert.Equal(OneDnnIsa.Cap, native); // unless the test was started with its own setting
        Assert.Equal(native ?? user, OneDnnIsa.Effective);
    }
}
