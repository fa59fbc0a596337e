using System.Globalization;
using System.Reflection;
using System.Resources;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.Formats;
using ImagePs.Settings;
using Xunit;

namespace ImagePs.Tests;

/// <summary>
/// Every message as users read it: each Messages.resx value, and every error ImageErrors builds with
/// sample arguments whose texts end in a full stop (as .NET's own exception messages do).
/// </summary>
public class ErrorMessagesTests
{
    private static readonly Image SampleImage =
        new ImageFactory(new CallerContext("alice", "project-a"), () => DateTime.UtcNow).NewImage(new ImageDraft { Name = "debian" });

    public static TheoryData<string> Factories()
    {
        var data = new TheoryData<string>();
        foreach (var method in typeof(ImageErrors).GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
        {
            if (typeof(ImagePsException).IsAssignableFrom(method.ReturnType)) data.Add(method.Name + "/" + method.GetParameters().Length);
        }
        return data;
    }

    private static object? Sample(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(string)) return "value-of-" + parameter.Name + ".";
        if (type == typeof(Guid)) return SampleImage.Id;
        if (type == typeof(int)) return 3;
        if (type == typeof(long)) return 5L;
        if (type == typeof(bool)) return true;
        if (type == typeof(Image)) return SampleImage;
        if (type == typeof(ImageStatus)) return ImageStatus.Saving;
        if (type == typeof(CallerContext)) return new CallerContext("bob", "project-b");
        if (type == typeof(ImageMember)) return ImageMember.New(SampleImage.Id, "project-b", DateTime.UtcNow);
        if (type == typeof(Exception)) return new IOException("Disk quota exceeded.");
        if (type == typeof(IReadOnlyList<SafetyFinding>)) return new[] { new SafetyFinding("check", "a qcow2 backing file '/etc/shadow'") };
        if (type == typeof(object)) return SampleImage;
        if (type == typeof(DateTime)) return new DateTime(2026, 12, 2, 1, 0, 0, DateTimeKind.Utc);
        if (type.IsEnum) return Enum.GetValues(type).GetValue(0);
        throw new InvalidOperationException($"No sample for {type} {parameter.Name}");
    }

    [Theory]
    [MemberData(nameof(Factories))]
    public void Every_error_reads_cleanly_and_names_an_image_as_name_and_id(string factory)
    {
        var parts = factory.Split('/');
        var method = typeof(ImageErrors).GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == parts[0] && m.GetParameters().Length == int.Parse(parts[1], CultureInfo.InvariantCulture));
        var arguments = method.GetParameters().Select(Sample).ToArray();

        var error = (ImagePsException)method.Invoke(null, arguments)!;

        AssertReadsCleanly(error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.ErrorId));
        // A project's image count is about the project, not one image.
        if (method.GetParameters().Any(p => p.ParameterType == typeof(Image)) && method.Name != nameof(ImageErrors.ImageCountQuotaExceeded))
            Assert.Contains(SampleImage.ToString(), error.Message);
    }

    [Fact]
    public void Every_resource_text_reads_cleanly_with_sample_arguments()
    {
        var resources = new ResourceManager("ImagePs.Messages", typeof(ImageErrors).Assembly);
        var set = resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!;
        var count = 0;
        foreach (System.Collections.DictionaryEntry entry in set)
        {
            var text = (string)entry.Value!;
            var formatted = string.Format(CultureInfo.InvariantCulture, text, Enumerable.Range(0, 8).Select(i => (object)$"arg{i}").ToArray());
            AssertReadsCleanly(formatted, (string)entry.Key);
            count++;
        }
        Assert.True(count > 200, $"only {count} messages were found");
    }

    [Fact]
    public void Texts_put_in_the_middle_of_a_sentence_do_not_end_with_a_full_stop()
    {
        var resources = new ResourceManager("ImagePs.Messages", typeof(ImageErrors).Assembly);
        var set = resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!;
        foreach (System.Collections.DictionaryEntry entry in set)
        {
            var key = (string)entry.Key;
            if (!(key.StartsWith("Reason") || key.StartsWith("Finding") || key.StartsWith("Malformed") || key.StartsWith("Character") || key.StartsWith("SourceKind")))
                continue;
            Assert.False(((string)entry.Value!).TrimEnd().EndsWith('.'), $"{key} ends with a full stop but is put before one");
        }
    }

    private static void AssertReadsCleanly(string message, string? key = null)
    {
        var what = key ?? message;
        Assert.DoesNotContain("..", message.Replace("...", "\u2026"));
        Assert.DoesNotContain(". .", message);
        Assert.DoesNotContain(".:", message);
        Assert.False(message.EndsWith(":", StringComparison.Ordinal), $"{what} ends with a colon");
        Assert.DoesNotContain("  ", message);
        Assert.True(message.IndexOf('{') < 0 || key is not null, $"{what} has an unfilled placeholder");
    }
}
