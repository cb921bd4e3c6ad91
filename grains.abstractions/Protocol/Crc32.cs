namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// CRC-32 as in zlib, PNG and Ethernet (IEEE 802.3): reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF,
/// final XOR 0xFFFFFFFF. Check value: CRC-32("123456789") = 0xCBF43926. Table-driven, one byte at a time — what
/// a microcontroller would run (or its CRC peripheral, set up the same way).
/// </summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    /// <summary>Continues a CRC over more bytes: start with <c>Append(0, first)</c>, then <c>Append(crc, next)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        var c = ~crc;
        foreach (var b in bytes) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    public static uint Compute(ReadOnlySpan<byte> bytes) => Append(0, bytes);
}
