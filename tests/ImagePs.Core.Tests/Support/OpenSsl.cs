using System.Diagnostics;

namespace ImagePs.Tests.Support;

/// <summary>Keys, certificates and signatures made by the openssl command, as an image publisher would.</summary>
internal static class OpenSsl
{
    /// <summary>A self-signed certificate and its private key: (certificate PEM path, key PEM path).</summary>
    public static (string Certificate, string Key) SelfSigned(TestFolder folder, string name, params string[] keyOptions)
    {
        var key = folder.File(name + ".key.pem");
        var certificate = folder.File(name + ".cert.pem");
        Run(new[] { "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=imageps-" + name, "-keyout", key, "-out", certificate }
            .Concat(keyOptions).ToArray());
        return (certificate, key);
    }

    /// <summary>Signs a file: base64 of the signature openssl writes.</summary>
    public static string Sign(string key, string digest, string file, params string[] signOptions)
    {
        var signature = file + ".sig";
        Run(new[] { "dgst", "-" + digest, "-sign", key, "-out", signature }.Concat(signOptions).Append(file).ToArray());
        return Convert.ToBase64String(File.ReadAllBytes(signature));
    }

    public static void Run(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {error}");
    }
}
