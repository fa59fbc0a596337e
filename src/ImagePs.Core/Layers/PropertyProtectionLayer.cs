using System;
using System.Collections.Generic;
using System.Linq;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.PropertyProtection;
using ImagePs.Settings;

namespace ImagePs.Layers;

/// <summary>
/// The property-protection layer, creation side (Glance's ProtectedImageFactoryProxy): every extra
/// property of a new image needs the <c>create</c> permission of the protections file.
/// </summary>
internal sealed class PropertyProtectionImageFactory : IImageFactory
{
    private readonly IImageFactory _inner;
    private readonly PropertyProtectionRules _rules;
    private readonly CallerContext _caller;

    public PropertyProtectionImageFactory(IImageFactory inner, PropertyProtectionRules rules, CallerContext caller)
    {
        _inner = inner;
        _rules = rules;
        _caller = caller;
    }

    public Image NewImage(ImageDraft draft)
    {
        foreach (var key in draft.Properties.Keys)
        {
            if (key is not null && !_rules.Allows(key, PropertyOperation.Create, _caller.Roles, out var reason))
                throw ImageErrors.PropertyProtected(key, PropertyOperation.Create, _caller, _rules.Path, reason);
        }
        return _inner.NewImage(draft);
    }
}

/// <summary>
/// The property-protection layer, catalog side (Glance's ProtectedImageRepoProxy and
/// ExtraPropertiesProxy): properties the caller may not read are taken out of every image it gets,
/// and put back, untouched, when it saves one; adding, changing or removing a property needs the
/// <c>create</c>, <c>update</c> or <c>delete</c> permission, judged against the catalog's copy.
/// </summary>
internal sealed class PropertyProtectionImageRepository : ImageRepositoryProxy
{
    private readonly PropertyProtectionRules _rules;
    private readonly CallerContext _caller;

    public PropertyProtectionImageRepository(IImageRepository inner, PropertyProtectionRules rules, CallerContext caller) : base(inner)
    {
        _rules = rules;
        _caller = caller;
    }

    public override void Add(Image image)
    {
        Inner.Add(image);
        Hide(image);
    }

    public override Image Get(Guid id) => Hide(Inner.Get(id));

    public override IEnumerable<Image> List(ImageQuery query) => _rules.Enabled ? Inner.List(query).Select(Hide) : Inner.List(query);

    public override void Save(Image image, ImageStatus? fromStatus = null)
    {
        if (!_rules.Enabled)
        {
            Inner.Save(image, fromStatus);
            return;
        }

        var stored = Inner.Get(image.Id).Properties;
        var restored = new List<string>();
        try
        {
            foreach (var property in stored)
            {
                var readable = Allows(property.Key, PropertyOperation.Read);
                if (!image.Properties.TryGetValue(property.Key, out var value))
                {
                    if (readable) Check(property.Key, PropertyOperation.Delete);
                    else
                    {
                        image.LoadProperty(property.Key, property.Value); // hidden from the caller, so kept as it is
                        restored.Add(property.Key);
                    }
                }
                else if (value != property.Value)
                {
                    Check(property.Key, PropertyOperation.Update);
                }
            }
            foreach (var key in image.Properties.Keys.Where(k => !stored.ContainsKey(k)).ToList()) Check(key, PropertyOperation.Create);

            Inner.Save(image, fromStatus);
        }
        finally
        {
            foreach (var key in restored) image.RemoveProperty(key);
        }
    }

    private Image Hide(Image image)
    {
        if (!_rules.Enabled) return image;
        foreach (var key in image.Properties.Keys.Where(k => !Allows(k, PropertyOperation.Read)).ToList()) image.RemoveProperty(key);
        return image;
    }

    private bool Allows(string key, PropertyOperation operation) => _rules.Allows(key, operation, _caller.Roles);

    private void Check(string key, PropertyOperation operation)
    {
        if (!_rules.Allows(key, operation, _caller.Roles, out var reason))
            throw ImageErrors.PropertyProtected(key, operation, _caller, _rules.Path, reason);
    }
}
