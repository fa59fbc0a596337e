using System;

namespace ImagePs.Store;

/// <summary>
/// Who is uploading into an image right now. An uploader holds the image's lease from before the
/// image leaves Queued until it is Active or Queued again; the lease dies with its process, so an
/// image found Saving whose lease can be taken was abandoned (crash, kill -9, power loss), not slow.
/// </summary>
internal interface IUploadLeases
{
    /// <summary>The lease, or null when a live uploader holds it.</summary>
    IDisposable? TryAcquire(Guid imageId);

    /// <summary>Drops what the lease keeps once the image can never be uploaded into again.</summary>
    void Forget(Guid imageId);
}
