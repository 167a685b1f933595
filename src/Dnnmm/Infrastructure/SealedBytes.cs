using System.Security.Cryptography;
using System.Text;

namespace Dnnmm.Infrastructure;

/// <summary>
/// Binary files that know when they are damaged: a magic string (as <see cref="BinaryWriter.Write(string)"/> writes it),
/// the payload, and the SHA-256 of everything before it. <see cref="Open"/> checks the magic and the checksum before
/// anything is parsed, so a flipped, cut or extended file is a one-line "damaged" error naming the file, and no length or
/// count read from a damaged header can drive an allocation.
/// </summary>
public static class SealedBytes
{
    public const int HashLength = 32;

    /// <summary>The bytes a <see cref="BinaryWriter"/> writes for <paramref name="magic"/> (length prefix and UTF-8).</summary>
    public static byte[] MagicBytes(string magic)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) w.Write(magic);
        return ms.ToArray();
    }

    /// <summary>Appends the SHA-256 of <paramref name="content"/> (which starts with its magic string).</summary>
    public static byte[] Seal(byte[] content)
    {
        var result = new byte[content.Length + HashLength];
        content.CopyTo(result, 0);
        SHA256.HashData(content, result.AsSpan(content.Length));
        return result;
    }

    /// <summary>Whether <paramref name="bytes"/> start with <paramref name="magic"/>.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes, string magic) => bytes.StartsWith(MagicBytes(magic));

    /// <summary>
    /// The content of a sealed file (magic and payload, without the checksum), after checking that it starts with
    /// <paramref name="magic"/> and that its checksum matches; otherwise a <see cref="DnnmmInputException"/>
    /// "&lt;path&gt;: damaged &lt;what&gt; (...)".
    /// </summary>
    public static byte[] Open(byte[] bytes, string magic, string path, string what)
    {
        if (!HasMagic(bytes, magic))
            throw new DnnmmInputException($"{path}: damaged {what} (it does not start as a {what} does; not a dnnmm file, or overwritten)");
        int magicLength = MagicBytes(magic).Length;
        if (bytes.Length < magicLength + HashLength)
            throw new DnnmmInputException($"{path}: damaged {what} (cut short: {bytes.Length} bytes)");
        var content = bytes.AsSpan(0, bytes.Length - HashLength);
        Span<byte> hash = stackalloc byte[HashLength];
        SHA256.HashData(content, hash);
        if (!hash.SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
            throw new DnnmmInputException($"{path}: damaged {what} (checksum mismatch: the file was changed, cut short or extended after it was written)");
        return content.ToArray();
    }

    /// <summary>
    /// A one-line, printable digest of a parser's message about a damaged file: no control characters or bytes that
    /// are not printable ASCII (a damaged file's text would otherwise show raw bytes), at most 100 characters.
    /// </summary>
    public static string Describe(Exception e)
    {
        var sb = new StringBuilder();
        foreach (char c in e.Message.Split('\n')[0])
        {
            if (sb.Length >= 100) { sb.Append("..."); break; }
            sb.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return sb.ToString().Trim();
    }
}
