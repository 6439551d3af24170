using System.Text;

namespace Grpc.Core;

public sealed partial class Metadata
{
    /// <summary>One metadata entry: a key with an ASCII string value or, for keys ending in <c>-bin</c>, a binary value.</summary>
#pragma warning disable CA1034 // Nested as in Grpc.Core (Metadata.Entry).
    public sealed class Entry
#pragma warning restore CA1034
    {
        private readonly string? _value;
        private readonly byte[]? _valueBytes;

        /// <summary>Creates a binary entry; the key must end in <c>-bin</c>.</summary>
        public Entry(string key, byte[] valueBytes)
        {
            ArgumentNullException.ThrowIfNull(valueBytes);
            Key = NormalizeKey(key);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException("Key for binary valued metadata entry must have suffix indicating binary value.", nameof(key));
            }

            _valueBytes = valueBytes;
        }

        /// <summary>Creates an ASCII entry; the key must not end in <c>-bin</c>.</summary>
        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException("Key for ASCII valued metadata entry must not have suffix indicating binary value.", nameof(key));
            }

            _value = ValidateAsciiValue(value);
        }

        /// <summary>Gets the lower-case key.</summary>
        public string Key { get; }

        /// <summary>Gets the string value of an ASCII entry (for a binary entry, its bytes read as UTF-8).</summary>
        public string Value => _value ?? Encoding.UTF8.GetString(_valueBytes!);

        /// <summary>Gets a copy of the bytes of a binary entry (for an ASCII entry, its value as ASCII bytes).</summary>
#pragma warning disable CA1819 // Grpc.Core's shape.
        public byte[] ValueBytes => _valueBytes is null ? Encoding.ASCII.GetBytes(_value!) : (byte[])_valueBytes.Clone();
#pragma warning restore CA1819

        /// <summary>Gets whether this is a binary entry.</summary>
        public bool IsBinary => _valueBytes is not null;

        internal byte[]? RawBytes => _valueBytes;

        internal bool KeyEqualsIgnoreCase(string key) => string.Equals(Key, key, StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc />
        public override string ToString() => IsBinary ? $"[Entry: key={Key}, valueBytes={_valueBytes!.Length} bytes]" : $"[Entry: key={Key}, value={_value}]";
    }
}
