using RevLoop.Crm.Opportunities;
using RevLoop.Crm.Products;
using RevLoop.Platform;

namespace RevLoop.Server.Demo;

/// <summary>A product of the demo company with its list prices (per unit and year for subscriptions, once for services).</summary>
public sealed record DemoProduct(string Sku, string Name, string Family, long Usd, long Eur, long Gbp, bool Recurring, bool PerSeat, int Tier = 0, DateOnly? LaunchedOn = null)
{
    public long PriceMinor(string currency) => 100 * (currency switch { "EUR" => Eur, "GBP" => Gbp, _ => Usd });
}

/// <summary>A pipeline of the demo company: its stages (open ones first, then won, then lost).</summary>
public sealed class DemoPipeline
{
    public required Pipeline Row { get; init; }
    public required Stage[] Open { get; init; }
    public required Stage Won { get; init; }
    public required Stage Lost { get; init; }
    /// <summary>The open stage from which the quote (list price) is on the deal, and the one from which the negotiated price is.</summary>
    public required int QuoteStage { get; init; }
    public required int CommitStage { get; init; }
    public required string[] NextSteps { get; init; }
    public required string[] ForecastByStage { get; init; }
}

/// <summary>Pipelines, stages, products, the price book and exchange rates of the demo company.</summary>
public sealed class DemoCatalog
{
    public const string CompanyName = "Brightwave Software";

    public DemoPipeline NewBusiness { get; }
    public DemoPipeline Expansion { get; }
    public DemoPipeline Renewal { get; }
    public IReadOnlyList<DemoPipeline> Pipelines => [NewBusiness, Expansion, Renewal];

    public static readonly DemoProduct Standard = new("BW-PLT-STD", "Brightwave Standard", "Platform", 360, 330, 290, true, true, Tier: 1);
    public static readonly DemoProduct Professional = new("BW-PLT-PRO", "Brightwave Professional", "Platform", 720, 660, 580, true, true, Tier: 2);
    public static readonly DemoProduct Enterprise = new("BW-PLT-ENT", "Brightwave Enterprise", "Platform", 1200, 1100, 960, true, true, Tier: 3);
    public static readonly DemoProduct Analytics = new("BW-ADD-ANL", "Advanced Analytics", "Add-ons", 180, 165, 145, true, true);
    public static readonly DemoProduct Automation = new("BW-ADD-AUT", "Workflow Automation", "Add-ons", 144, 132, 115, true, true);
    public static readonly DemoProduct AiAssistant = new("BW-ADD-AI", "AI Assistant", "Add-ons", 240, 220, 190, true, true, LaunchedOn: new DateOnly(2024, 3, 1));
    public static readonly DemoProduct IntegrationsHub = new("BW-INT-HUB", "Integrations Hub", "Integrations", 6000, 5500, 4800, true, false);
    public static readonly DemoProduct DataPack = new("BW-DAT-PACK", "Data Volume Pack (10M records)", "Integrations", 2400, 2200, 1900, true, false);
    public static readonly DemoProduct Sandbox = new("BW-ENV-SBX", "Sandbox Environment", "Integrations", 3600, 3300, 2900, true, false);
    public static readonly DemoProduct PremiumSupport = new("BW-SUP-PREM", "Premium Support", "Support", 9600, 8800, 7700, true, false);
    public static readonly DemoProduct Tam = new("BW-SUP-TAM", "Technical Account Manager", "Support", 30000, 27500, 24000, true, false);
    public static readonly DemoProduct QuickStart = new("BW-SVC-QS", "QuickStart Onboarding", "Services", 2500, 2300, 2000, false, false);
    public static readonly DemoProduct Implementation = new("BW-SVC-IMP", "Implementation Package", "Services", 15000, 13800, 12000, false, false);
    public static readonly DemoProduct TrainingDay = new("BW-SVC-TRN", "Training Day", "Services", 2000, 1850, 1600, false, false);
    public static readonly DemoProduct Migration = new("BW-SVC-MIG", "Data Migration", "Services", 8000, 7350, 6400, false, false);
    public static readonly DemoProduct Classic = new("BW-PLT-CLS", "Brightwave Classic (retired)", "Platform", 300, 275, 240, true, true);

    public static readonly IReadOnlyList<DemoProduct> Products =
    [
        Standard, Professional, Enterprise, Analytics, Automation, AiAssistant, IntegrationsHub, DataPack, Sandbox, PremiumSupport, Tam,
        QuickStart, Implementation, TrainingDay, Migration, Classic,
    ];

    public static readonly IReadOnlyList<DemoProduct> AddOns = [Analytics, Automation, AiAssistant, IntegrationsHub, DataPack, Sandbox, PremiumSupport];

    public static readonly IReadOnlyList<(string Reason, double Weight)> LostReasons =
    [
        ("No decision / status quo", 24), ("Lost to competitor", 20), ("Price", 15), ("Timing / budget freeze", 12), ("Missing feature", 9),
        ("Went dark", 10), ("Champion left", 4), ("Chose to build in-house", 6),
    ];

    public static readonly IReadOnlyList<(string Reason, double Weight)> ChurnReasons =
    [
        ("Budget cut", 30), ("Switched to competitor", 22), ("Low adoption", 25), ("Company acquired", 8), ("Went out of business", 7), ("Consolidated tools", 8),
    ];

    public DemoCatalog(DemoRandom rng, DateTimeOffset at)
    {
        NewBusiness = Build(rng, at, "New business", true, 0,
            [("Qualification", 10), ("Discovery", 20), ("Solution demo", 40), ("Proposal", 60), ("Negotiation", 80)], "Closed won", "Closed lost",
            quote: 3, commit: 4,
            ["Book discovery call", "Map stakeholders and pains", "Schedule product demo", "Send proposal", "Agree on terms and send order form"],
            [ForecastCategories.Pipeline, ForecastCategories.Pipeline, ForecastCategories.BestCase, ForecastCategories.BestCase, ForecastCategories.Commit]);
        Expansion = Build(rng, at, "Expansion", false, 1,
            [("Identified", 20), ("Scoping", 40), ("Proposal", 60), ("Negotiation", 80)], "Closed won", "Closed lost",
            quote: 2, commit: 3,
            ["Qualify expansion need with champion", "Scope seats and add-ons", "Send expansion quote", "Countersign order form"],
            [ForecastCategories.Pipeline, ForecastCategories.BestCase, ForecastCategories.BestCase, ForecastCategories.Commit]);
        Renewal = Build(rng, at, "Renewal", false, 2,
            [("Upcoming", 60), ("In negotiation", 75), ("Committed", 90)], "Renewed", "Churned",
            quote: 1, commit: 2,
            ["Run renewal health check", "Send renewal quote", "Collect signed renewal"],
            [ForecastCategories.BestCase, ForecastCategories.BestCase, ForecastCategories.Commit]);
        foreach (var p in Products)
            rows[p.Sku] = new Product { Id = rng.Guid7(at), Sku = p.Sku, Name = p.Name, Family = p.Family, Active = p != Classic };
    }

    private readonly Dictionary<string, Product> rows = [];

    public Guid IdOf(DemoProduct p) => rows[p.Sku].Id;

    private static DemoPipeline Build(DemoRandom rng, DateTimeOffset at, string name, bool isDefault, int sortOrder, (string Name, int P)[] open,
        string won, string lost, int quote, int commit, string[] nextSteps, string[] forecast)
    {
        var pipeline = new Pipeline { Id = rng.Guid7(at), Name = name, IsDefault = isDefault, SortOrder = sortOrder };
        var stages = open.Select((s, i) => new Stage { Id = rng.Guid7(at), PipelineId = pipeline.Id, Name = s.Name, SortOrder = i, Probability = s.P, Type = StageTypes.Open, RequiredFields = i == 1 ? "amount,closeDate" : null }).ToArray();
        var wonStage = new Stage { Id = rng.Guid7(at), PipelineId = pipeline.Id, Name = won, SortOrder = open.Length, Probability = 100, Type = StageTypes.Won };
        var lostStage = new Stage { Id = rng.Guid7(at), PipelineId = pipeline.Id, Name = lost, SortOrder = open.Length + 1, Probability = 0, Type = StageTypes.Lost };
        pipeline.Stages = [.. stages, wonStage, lostStage];
        return new DemoPipeline { Row = pipeline, Open = stages, Won = wonStage, Lost = lostStage, QuoteStage = quote, CommitStage = commit, NextSteps = nextSteps, ForecastByStage = forecast };
    }

    public void Write(BulkSink sink)
    {
        var pipelines = sink.Table<Pipeline>();
        foreach (var p in Pipelines) pipelines.Add(p.Row);
        pipelines.Flush();
        var stages = sink.Table<Stage>();
        foreach (var p in Pipelines) foreach (var s in p.Row.Stages) stages.Add(s);
        stages.Flush();
        var products = sink.Table<Product>();
        foreach (var p in Products) products.Add(rows[p.Sku]);
        products.Flush();
        var prices = sink.Table<PriceBookEntry>();
        foreach (var p in Products)
            foreach (var currency in new[] { "USD", "EUR", "GBP" })
                prices.Add(new PriceBookEntry { ProductId = rows[p.Sku].Id, Currency = currency, ListPriceMinor = p.PriceMinor(currency) });
        prices.Flush();
    }

    /// <summary>Monthly exchange rates into USD (units of USD per unit) for EUR and GBP: a gentle random walk.</summary>
    public static IReadOnlyList<ExchangeRate> Rates(DemoRandom rng, DateOnly from, DateOnly to)
    {
        var list = new List<ExchangeRate>();
        double eur = 1.16, gbp = 1.37;
        for (var d = new DateOnly(from.Year, from.Month, 1); d <= to; d = d.AddMonths(1))
        {
            list.Add(new ExchangeRate { CurrencyCode = "EUR", Date = d, Rate = Math.Round((decimal)eur, 4) });
            list.Add(new ExchangeRate { CurrencyCode = "GBP", Date = d, Rate = Math.Round((decimal)gbp, 4) });
            eur = Math.Clamp(eur + rng.Normal() * 0.018 + (1.09 - eur) * 0.04, 0.96, 1.24);
            gbp = Math.Clamp(gbp + rng.Normal() * 0.020 + (1.27 - gbp) * 0.04, 1.10, 1.45);
        }
        return list;
    }

    /// <summary>USD per unit of <paramref name="currency"/> on a date (the month's rate).</summary>
    public static decimal UsdRate(IReadOnlyList<ExchangeRate> rates, string currency, DateOnly on)
    {
        if (currency == "USD") return 1m;
        decimal rate = 1m;
        foreach (var r in rates)
            if (r.CurrencyCode == currency && r.Date <= on) rate = r.Rate;
        return rate;
    }
}
