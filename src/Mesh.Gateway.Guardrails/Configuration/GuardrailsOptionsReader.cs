using System.Globalization;
using Mesh.Gateway.Guardrails.Checks;
using Mesh.Gateway.Guardrails.Moderation;
using Mesh.Gateway.Guardrails.Pii;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Guardrails.Configuration;

/// <summary>Reads the <c>guardrails</c> section by hand so that every problem is reported with its key path and value.</summary>
internal sealed class GuardrailsOptionsReader
{
    private readonly List<string> _errors = [];

    internal IReadOnlyList<string> Errors => _errors;

    internal GuardrailsOptions Read(IConfigurationSection section)
    {
        const string root = GuardrailsOptions.SectionName;
        var defaultPolicy = ReadPolicy(section, root, GuardPolicy.Default, "default");
        var policies = new Dictionary<string, GuardPolicy>(StringComparer.Ordinal);
        foreach (var child in section.GetSection("policies").GetChildren())
        {
            policies[child.Key] = ReadPolicy(child, $"{root}.policies.{child.Key}", defaultPolicy, child.Key);
        }

        var tenants = new Dictionary<string, TenantGuardrails>(StringComparer.Ordinal);
        foreach (var child in section.GetSection("tenants").GetChildren())
        {
            string path = $"{root}.tenants.{child.Key}";
            string? policy = child["policy"];
            if (policy is not null && policy != "default" && !policies.ContainsKey(policy))
            {
                _errors.Add($"{path}.policy: names no policy under {root}.policies (was '{policy}')");
            }

            var tools = ReadList(child, "tools");
            if (tools is not null && tools.Any(string.IsNullOrWhiteSpace))
            {
                _errors.Add($"{path}.tools: a tool name is empty");
            }

            tenants[child.Key] = new TenantGuardrails
            {
                Policy = policy,
                HashKey = child["hash_key"],
                Tools = tools?.Where(static n => !string.IsNullOrWhiteSpace(n)).ToHashSet(StringComparer.Ordinal),
            };
        }

        return new GuardrailsOptions { DefaultPolicy = defaultPolicy, Policies = policies, Tenants = tenants };
    }

    private GuardPolicy ReadPolicy(IConfigurationSection s, string path, GuardPolicy b, string name)
    {
        return new GuardPolicy
        {
            Name = name,
            HashKey = s["hash_key"] ?? b.HashKey,
            Pii = ReadPii(s.GetSection("pii"), path + ".pii", b.Pii),
            Injection = ReadInjection(s.GetSection("injection"), path + ".injection", b.Injection),
            Moderation = ReadModeration(s.GetSection("moderation"), path + ".moderation", b.Moderation),
            Learned = new LearnedPolicy
            {
                Enabled = Bool(s.GetSection("learned"), "enabled", path + ".learned", b.Learned.Enabled),
                Threshold = Score(s.GetSection("learned"), "threshold", path + ".learned", b.Learned.Threshold),
            },
            Stream = ReadStream(s.GetSection("stream"), path + ".stream", b.Stream),
            Tools = ReadTools(s.GetSection("tools"), path + ".tools", b.Tools),
            Checks = ReadChecks(s.GetSection("checks"), path + ".checks", b.Checks),
        };
    }

    private PiiPolicy ReadPii(IConfigurationSection s, string path, PiiPolicy b)
    {
        var entities = b.Entities;
        var list = ReadList(s, "entities");
        if (list is not null)
        {
            foreach (string e in list)
            {
                if (!PiiKindNames.TryParse(e, out _))
                {
                    _errors.Add($"{path}.entities: unknown entity type '{e}' (known: {string.Join(", ", PiiEntityTypes.All)}, secrets, national_ids, all)");
                }
            }

            entities = list;
        }

        var overrides = new Dictionary<string, PiiEntityPolicy>(b.Overrides, StringComparer.Ordinal);
        foreach (var child in s.GetSection("overrides").GetChildren())
        {
            string p = $"{path}.overrides.{child.Key}";
            if (!PiiKindNames.TryParse(child.Key, out _))
            {
                _errors.Add($"{p}: unknown entity type '{child.Key}'");
                continue;
            }

            overrides[PiiKindNames.Canonical(child.Key)] = new PiiEntityPolicy
            {
                Action = child["action"] is null ? null : Action(child, "action", p, GuardAction.Redact, textActions: true),
                Threshold = child["threshold"] is null ? null : Score(child, "threshold", p, 0.5),
            };
        }

        return new PiiPolicy
        {
            Enabled = Bool(s, "enabled", path, b.Enabled),
            Action = Action(s, "action", path, b.Action, textActions: true),
            Entities = entities,
            Threshold = Score(s, "threshold", path, b.Threshold),
            Overrides = overrides,
        };
    }

    private InjectionPolicy ReadInjection(IConfigurationSection s, string path, InjectionPolicy b) => new()
    {
        Enabled = Bool(s, "enabled", path, b.Enabled),
        Threshold = Score(s, "threshold", path, b.Threshold),
        Action = Action(s, "action", path, b.Action, textActions: false),
        OnOutput = Bool(s, "on_output", path, b.OnOutput),
        Classifier = ReadClassifier(s.GetSection("classifier"), path + ".classifier", b.Classifier),
    };

    private ModerationPolicy ReadModeration(IConfigurationSection s, string path, ModerationPolicy b)
    {
        var categories = new Dictionary<string, double>(b.Categories, StringComparer.Ordinal);
        foreach (var child in s.GetSection("categories").GetChildren())
        {
            if (ModerationCategories.IndexOf(child.Key) < 0)
            {
                _errors.Add($"{path}.categories.{child.Key}: unknown category (known: {string.Join(", ", ModerationCategories.All)})");
                continue;
            }

            categories[child.Key] = Score(s.GetSection("categories"), child.Key, path + ".categories", b.Threshold);
        }

        return new ModerationPolicy
        {
            Enabled = Bool(s, "enabled", path, b.Enabled),
            Action = Action(s, "action", path, b.Action, textActions: false),
            Threshold = Score(s, "threshold", path, b.Threshold),
            Categories = categories,
            OnInput = Bool(s, "on_input", path, b.OnInput),
            OnOutput = Bool(s, "on_output", path, b.OnOutput),
            Classifier = ReadClassifier(s.GetSection("classifier"), path + ".classifier", b.Classifier),
        };
    }

    private ClassifierPolicy ReadClassifier(IConfigurationSection s, string path, ClassifierPolicy b)
    {
        var policy = new ClassifierPolicy
        {
            Enabled = Bool(s, "enabled", path, b.Enabled),
            Name = s["name"] ?? b.Name,
            FailOpen = Bool(s, "fail_open", path, b.FailOpen),
            MinLocalScore = Score(s, "min_local_score", path, b.MinLocalScore),
            CacheSeconds = Int(s, "cache_seconds", path, b.CacheSeconds, 0, 86_400),
        };
        if (policy.Enabled && s["enabled"] is not null)
        {
            // The gateway ships no IGuardClassifier: turned on, it would silently consult nothing.
            _errors.Add($"{path}.enabled: no remote classifier is available in this gateway; remove the setting (the local detectors decide alone)");
        }

        return policy;
    }

    private StreamPolicy ReadStream(IConfigurationSection s, string path, StreamPolicy b)
    {
        var p = new StreamPolicy
        {
            HoldBack = Int(s, "hold_back", path, b.HoldBack, 16, 65_536),
            MaxHoldBack = Int(s, "max_hold_back", path, b.MaxHoldBack, 16, 1 << 20),
            FinishReason = s["finish_reason"] ?? b.FinishReason,
        };
        if (p.MaxHoldBack < p.HoldBack)
        {
            _errors.Add($"{path}.max_hold_back: must be at least hold_back ({p.HoldBack}) (was {p.MaxHoldBack})");
        }

        return p;
    }

    private ToolsPolicy ReadTools(IConfigurationSection s, string path, ToolsPolicy b)
    {
        var allow = b.Allow;
        if (ReadList(s, "allow") is { } list)
        {
            if (list.Any(string.IsNullOrWhiteSpace))
            {
                _errors.Add($"{path}.allow: a tool name is empty");
            }

            allow = list.Where(static n => !string.IsNullOrWhiteSpace(n)).ToHashSet(StringComparer.Ordinal);
        }

        return new ToolsPolicy
        {
            Allow = allow,
            ScanArguments = Bool(s, "scan_arguments", path, b.ScanArguments),
            ScanResults = Bool(s, "scan_results", path, b.ScanResults),
        };
    }

    // A policy that names checks has exactly those; one that names none keeps the default policy's.
    private IReadOnlyList<GuardCheckOptions> ReadChecks(IConfigurationSection s, string path, IReadOnlyList<GuardCheckOptions> b)
    {
        var children = s.GetChildren().ToList();
        if (children.Count == 0)
        {
            return b;
        }

        var checks = new List<GuardCheckOptions>(children.Count);
        foreach (var c in children)
        {
            var at = path + "." + c.Key;
            var type = c["type"];
            if (type is null || !GuardCheckTypes.All.Contains(type))
            {
                _errors.Add($"{at}.type: must be one of {string.Join(", ", GuardCheckTypes.All)} (was '{type}')");
                continue;
            }

            Uri? url = null;
            if (type != GuardCheckTypes.LlmJudge)
            {
                if (!Uri.TryCreate(c["url"], UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
                {
                    _errors.Add($"{at}.url: an absolute http or https URL is required for a {type} check (was '{c["url"]}')");
                    continue;
                }
            }
            else if (string.IsNullOrEmpty(c["route"]))
            {
                _errors.Add($"{at}.route: the model route asked as judge is required for an llm_judge check");
                continue;
            }

            var mode = c["mode"] ?? "enforce";
            if (mode is not ("enforce" or "audit"))
            {
                _errors.Add($"{at}.mode: must be enforce or audit (was '{mode}')");
            }

            var onError = c["on_error"] ?? "open";
            if (onError is not ("open" or "closed"))
            {
                _errors.Add($"{at}.on_error: must be open or closed (was '{onError}')");
            }

            checks.Add(new GuardCheckOptions
            {
                Name = c.Key,
                Type = type,
                Url = url,
                ApiKey = c["api_key"],
                Model = c["model"],
                Route = c["route"],
                Prompt = c["prompt"],
                Mode = mode == "audit" ? GuardCheckMode.Audit : GuardCheckMode.Enforce,
                FailOpen = onError != "closed",
                Timeout = TimeSpan.FromMilliseconds(Int(c, "timeout_ms", at, 2000, 1, 60_000)),
                OnInput = Bool(c, "on_input", at, true),
                OnOutput = Bool(c, "on_output", at, false),
            });
        }

        return checks;
    }

    private static List<string>? ReadList(IConfigurationSection s, string key)
    {
        var section = s.GetSection(key);
        var children = section.GetChildren().ToList();
        if (children.Count > 0)
        {
            return [.. children.Select(c => c.Value ?? string.Empty)];
        }

        return section.Value is { } v ? [.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null;
    }

    private bool Bool(IConfigurationSection s, string key, string path, bool fallback)
    {
        string? v = s[key];
        if (v is null)
        {
            return fallback;
        }

        if (bool.TryParse(v, out bool b))
        {
            return b;
        }

        _errors.Add($"{path}.{key}: must be true or false (was '{v}')");
        return fallback;
    }

    private double Score(IConfigurationSection s, string key, string path, double fallback)
    {
        string? v = s[key];
        if (v is null)
        {
            return fallback;
        }

        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d is >= 0 and <= 1)
        {
            return d;
        }

        _errors.Add($"{path}.{key}: must be a number between 0 and 1 (was '{v}')");
        return fallback;
    }

    private int Int(IConfigurationSection s, string key, string path, int fallback, int min, int max)
    {
        string? v = s[key];
        if (v is null)
        {
            return fallback;
        }

        if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max)
        {
            return n;
        }

        _errors.Add($"{path}.{key}: must be an integer from {min} to {max} (was '{v}')");
        return fallback;
    }

    private GuardAction Action(IConfigurationSection s, string key, string path, GuardAction fallback, bool textActions)
    {
        string? v = s[key];
        if (v is null)
        {
            return fallback;
        }

        GuardAction? a = v.Trim().ToLowerInvariant() switch
        {
            "report" or "allow" or "log" => GuardAction.Report,
            "redact" or "label" => GuardAction.Redact,
            "mask" => GuardAction.Mask,
            "hash" => GuardAction.Hash,
            "tokenize" or "tokenise" => GuardAction.Tokenize,
            "block" => GuardAction.Block,
            _ => null,
        };
        if (a is null)
        {
            _errors.Add($"{path}.{key}: must be one of {(textActions ? "report, redact, mask, hash, tokenize, block" : "report, block")} (was '{v}')");
            return fallback;
        }

        if (!textActions && a is not (GuardAction.Report or GuardAction.Block))
        {
            _errors.Add($"{path}.{key}: must be report or block (was '{v}')");
            return fallback;
        }

        return a.Value;
    }
}
