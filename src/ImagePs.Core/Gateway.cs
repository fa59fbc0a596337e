using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Events;
using ImagePs.Layers;
using ImagePs.Policy;
using ImagePs.Settings;

namespace ImagePs;

/// <summary>
/// The composition root (Glance's glance/gateway.py): the only place that stacks the layers around
/// the factory, the repository, the upload step and the members, for one caller. Outermost first, the
/// design's order is authorization, property protection, notifier, policy, quota, location, domain;
/// each layer is one decorator file in Layers/ and decorates only what it has a say in.
/// </summary>
internal sealed class Gateway
{
    public Gateway(RepositoryBackend backend, CallerContext caller, IOperationObserver observer)
    {
        var policy = new PolicyEnforcer(backend.Policy, caller);
        var notifier = new ImageNotifier(backend.Events, caller, observer);
        var protections = backend.PropertyProtections;
        var settings = backend.Settings;

        IImageFactory factory = new ImageFactory(caller);
        factory = new QuotaImageFactory(factory, settings);
        factory = new PolicyImageFactory(factory, policy);
        factory = new PropertyProtectionImageFactory(factory, protections, caller);

        IImageRepository repository = backend.Catalog;
        repository = new LocationImageRepository(repository, backend.Store, backend.Deletes, observer);
        repository = new QuotaImageRepository(repository, settings);
        repository = new PolicyImageRepository(repository, policy);
        repository = new NotifierImageRepository(repository, notifier);
        repository = new PropertyProtectionImageRepository(repository, protections, caller);
        repository = new AuthorizationImageRepository(repository, backend.Members, caller);

        // The same rules as a save, without the save and without events: for checks before a prompt.
        IImageRepository changeCheck = new DryRunImageRepository(backend.Catalog);
        changeCheck = new QuotaImageRepository(changeCheck, settings);
        changeCheck = new PolicyImageRepository(changeCheck, policy);
        changeCheck = new PropertyProtectionImageRepository(changeCheck, protections, caller);
        changeCheck = new AuthorizationImageRepository(changeCheck, backend.Members, caller);

        IImageDataWriter dataWriter = new LocationDataWriter(backend.Store, backend.Probe, backend.Settings, backend.Certificates, observer);
        dataWriter = new QuotaDataWriter(dataWriter, backend.StorageUsage, backend.Settings);
        dataWriter = new PolicyDataWriter(dataWriter, policy);
        dataWriter = new NotifierDataWriter(dataWriter, notifier);
        dataWriter = new AuthorizationDataWriter(dataWriter, caller);

        IImageMemberRepository members = backend.Members;
        members = new QuotaImageMemberRepository(members, settings);
        members = new PolicyImageMemberRepository(members, policy);
        members = new NotifierImageMemberRepository(members, notifier);
        members = new AuthorizationImageMemberRepository(members, caller);

        ImageFactory = factory;
        ImageRepository = repository;
        ChangeCheck = changeCheck;
        DataWriter = dataWriter;
        MemberRepository = members;
        Caller = caller;
        Policy = policy;
        Notifier = notifier;
    }

    public IImageFactory ImageFactory { get; }
    public IImageRepository ImageRepository { get; }
    public IImageDataWriter DataWriter { get; }

    /// <summary>Refuses a save or removal as <see cref="ImageRepository"/> would, and writes nothing.</summary>
    internal IImageRepository ChangeCheck { get; }
    public IImageMemberRepository MemberRepository { get; }
    public CallerContext Caller { get; }

    /// <summary>The policy for this caller, for checks made before asking the user (and for downloads).</summary>
    internal PolicyEnforcer Policy { get; }

    /// <summary>The events of actions that change nothing in the catalog (Test-Image's image.verify).</summary>
    internal ImageNotifier Notifier { get; }
}
