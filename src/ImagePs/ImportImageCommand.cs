using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.Import;

namespace ImagePs.Commands;

/// <summary>
/// Creates an image and brings its data in, in one step, from a file or an http(s) URL (Glance's
/// image import): source hash, decompression and conversion on the way, -SkipExisting for runbooks
/// that run again, the source recorded so that a failed import can be retried by piping its Queued
/// image back in. The work is in the core (Import/ImageImporter); this cmdlet gathers the inputs,
/// asks ShouldProcess and runs them (ImportRunner), in order or up to -ThrottleLimit at once.
/// </summary>
[Cmdlet(VerbsData.Import, "Image", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(Image))]
public sealed class ImportImageCommand : ImageCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string UriSet = "Uri";
    private const string ImageSet = "InputObject";

    private readonly List<(ImportRequest Request, object Target)> _jobInputs = new();
    private ImportRunner? _runner;
    private string? _checksumPath;
    private bool _refused;

    private protected override bool ChangesRepository => true;

    /// <summary>Files (wildcards), or http(s) URLs given as strings.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Files, literally; files from Get-ChildItem bind here.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = UriSet, ValueFromPipelineByPropertyName = true)]
    public Uri[] Uri { get; set; } = Array.Empty<Uri>();

    /// <summary>Queued images to retry from their recorded source (Get-Image -Status Queued | Import-Image).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ImageSet, ValueFromPipeline = true)]
    public Image[] InputObject { get; set; } = Array.Empty<Image>();

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public string? Name { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ArgumentCompleter(typeof(DiskFormatCompleter))]
    public string? DiskFormat { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ArgumentCompleter(typeof(ContainerFormatCompleter))]
    public string ContainerFormat { get; set; } = "bare";

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public ImageVisibility Visibility { get; set; } = ImageVisibility.Shared;

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ArgumentCompleter(typeof(ImageTagCompleter))]
    public string[]? Tag { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public Hashtable? Property { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public int MinDisk { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public int MinRam { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public SwitchParameter Protected { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public SwitchParameter Hidden { get; set; }

    /// <summary>The new image's id (one input only).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public Guid Id { get; set; }

    /// <summary>MD5 (hex) the stored disk must have.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ValidatePattern("^[0-9a-fA-F]{32}$")]
    public string? Checksum { get; set; }

    /// <summary>SHA-512 (hex) the stored disk must have.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ValidatePattern("^[0-9a-fA-F]{128}$")]
    public string? OsHashValue { get; set; }

    /// <summary>The hash (hex) of the bytes fetched, before decompression or conversion.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public string? SourceHash { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ValidateSet("SHA256", "SHA512", "MD5", IgnoreCase = true)]
    public string SourceHashAlgorithm { get; set; } = "SHA256";

    /// <summary>A checksum file on a server (SHA256SUMS, …) that lists the source by its file name.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public Uri? ChecksumUri { get; set; }

    /// <summary>A local checksum file that lists the source by its file name.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public string? ChecksumPath { get; set; }

    /// <summary>Converts the disk with qemu-img before it is stored.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ValidateSet("raw", "qcow2", "vmdk", "vhdx", "vhd", "vdi", IgnoreCase = true)]
    public string? ConvertTo { get; set; }

    /// <summary>For servers that ask for it; never recorded (a retry needs it again).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>An input already in the catalog (same hashes, Active, owned by the caller) creates nothing: that image is returned.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = UriSet)]
    public SwitchParameter SkipExisting { get; set; }

    /// <summary>A failed import removes its image instead of leaving it Queued with the error recorded.</summary>
    [Parameter]
    public SwitchParameter RemoveOnFailure { get; set; }

    /// <summary>How many inputs are imported at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    /// <summary>Runs the imports in the background: returns a job (Get-Job, Receive-Job, Wait-Job, Stop-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override void BeginProcessing()
    {
        if (ChecksumUri is not null && ChecksumPath is not null)
            ThrowArgumentError(ImageErrors.ImportHashSourcesConflict());
        if (ChecksumPath is not null)
        {
            // A path that is not a file-system path: the error is written, and no input is taken.
            _checksumPath = ResolveFileSystemPath(ChecksumPath);
            _refused = _checksumPath is null;
        }
        if (SourceHash is not null && (ChecksumUri is not null || ChecksumPath is not null))
            ThrowArgumentError(ImageErrors.ImportHashSourcesConflict());
        if (!AsJob) _runner = new ImportRunner(ThrottleLimit, Cancellation);
    }

    protected override void ProcessRecord()
    {
        if (_refused) return;
        switch (ParameterSetName)
        {
            case ImageSet:
                foreach (var image in InputObject) TryRun(() => Queue(ImportRequest.ForRetry(image, NetworkCredential(), RemoveOnFailure), image,
                    string.Format(Messages.ActionRetryImport, image.Properties.TryGetValue(SystemProperties.ImportSource, out var s) ? s : "")), () => image);
                break;
            case UriSet:
                foreach (var uri in Uri) QueueUri(uri);
                break;
            case LiteralPathSet:
                foreach (var path in LiteralPath)
                {
                    var file = ResolveFileSystemPath(path);
                    if (file is not null) QueueFile(file);
                }
                break;
            default:
                foreach (var path in Path)
                {
                    if (LooksLikeUrl(path)) QueueUri(new Uri(path));
                    else foreach (var file in ResolveFileSystemPaths(path)) QueueFile(file);
                }
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (AsJob)
        {
            if (_jobInputs.Count == 0) return;
            var job = new ImportJob(MyInvocation.Line, _jobInputs, ThrottleLimit);
            JobRepository.Add(job);
            job.Start();
            WriteObject(job);
            return;
        }
        Pump(untilDone: true);
        WriteProgress(new ProgressRecord(ImportRunner.OverallActivityId, Messages.ActivityImporting, " ") { RecordType = ProgressRecordType.Completed });
    }

    private static bool LooksLikeUrl(string value) =>
        value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private void QueueFile(string file) => TryRun(() => Queue(NewRequest(file, null), file, string.Format(Messages.ActionImportImage, file)), () => file);

    private void QueueUri(Uri uri)
    {
        var shown = uri.IsAbsoluteUri ? UriText.Safe(uri) : uri.OriginalString;
        TryRun(() => Queue(NewRequest(null, uri), shown, string.Format(Messages.ActionImportImage, shown)), () => shown);
    }

    private ImportRequest NewRequest(string? file, Uri? uri)
    {
        var draft = ImageDrafts.From(MyInvocation.BoundParameters.ContainsKey(nameof(Id)) ? Id : null, Name, DiskFormat, ContainerFormat,
            Visibility, Protected.IsPresent, Hidden.IsPresent, MinDisk, MinRam, Tag, Property);
        return new ImportRequest
        {
            Path = file,
            Uri = uri,
            Draft = draft,
            Checksum = Checksum,
            OsHashValue = OsHashValue,
            SourceHash = SourceHash is null ? null : Import.SourceHash.Parse(SourceHash, SourceHashAlgorithm.ToUpperInvariant()),
            ChecksumUri = ChecksumUri,
            ChecksumPath = _checksumPath,
            Credential = NetworkCredential(),
            ConvertTo = ConvertTo?.ToLowerInvariant(),
            SkipExisting = SkipExisting.IsPresent,
            RemoveOnFailure = RemoveOnFailure.IsPresent,
        };
    }

    private System.Net.NetworkCredential? NetworkCredential() => Credential?.GetNetworkCredential();

    private void Queue(ImportRequest request, object target, string action)
    {
        if (!ShouldProcess(request.Description.Length > 0 ? request.Description : target.ToString(), action)) return;
        if (AsJob)
        {
            _jobInputs.Add((request, target));
            return;
        }
        _ = Service; // opens the repository (a terminating error when it cannot) and scrubs, as every changing command does
        _runner!.Add(request, target);
        Pump(untilDone: false);
    }

    private void Pump(bool untilDone)
    {
        try
        {
            _runner?.Pump(Deliver, Finish, untilDone);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        if (_runner is { Total: > 1 } runner)
        {
            WriteProgress(new ProgressRecord(ImportRunner.OverallActivityId, Messages.ActivityImporting,
                string.Format(Messages.ImportOverallStatus, runner.Done, runner.Total)) { PercentComplete = runner.Done * 100 / runner.Total });
        }
    }

    private void Deliver(object message)
    {
        switch (message)
        {
            case WarningRecord warning:
                WriteWarning(warning.Message);
                break;
            case VerboseRecord verbose:
                WriteVerbose(verbose.Message);
                break;
            case TransferProgress progress:
                WriteProgress(CmdletObserver.ToRecord(progress, ThrottleLimit > 1 ? ImportRunner.OverallActivityId : -1));
                break;
        }
    }

    private void Finish(ImportRunner.Item item)
    {
        try
        {
            WriteObject(ImportRunner.Result(item));
        }
        catch (ImagePsException e)
        {
            WriteError(ErrorRecords.From(e, item.Target));
        }
    }

    /// <summary>Waits for imports still running when an error ended the pipeline early: none is left half done.</summary>
    private protected override void OnDispose() => _runner?.Dispose();
}
