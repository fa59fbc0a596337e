using System.Security.Cryptography;

namespace ImagePs.Import;

/// <summary>One line of a checksum file: the name it lists, the algorithm and the lower-case hex.</summary>
internal sealed record ChecksumEntry(string FileName, HashAlgorithmName Algorithm, string Hex);
