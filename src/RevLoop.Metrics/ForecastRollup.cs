namespace RevLoop.Metrics;

/// <summary>A forecast call in base currency: commit, best case and pipeline for one period.</summary>
public readonly record struct ForecastCall(decimal Commit, decimal BestCase, decimal Pipeline)
{
    public static ForecastCall operator +(ForecastCall a, ForecastCall b) => new(a.Commit + b.Commit, a.BestCase + b.BestCase, a.Pipeline + b.Pipeline);
}

/// <summary>The period's amounts read off the deals by forecast category: won, and open deals in commit, best case and pipeline.</summary>
public readonly record struct CategoryAmounts(decimal ClosedWon, decimal Commit, decimal BestCase, decimal Pipeline)
{
    public static CategoryAmounts operator +(CategoryAmounts a, CategoryAmounts b) =>
        new(a.ClosedWon + b.ClosedWon, a.Commit + b.Commit, a.BestCase + b.BestCase, a.Pipeline + b.Pipeline);
}

public sealed record ForecastTeam(Guid Id, Guid? ParentId);

/// <summary>A rep in the roll-up: their team, the amounts of their deals, their latest submission (null if none).</summary>
public sealed record RepForecast(Guid UserId, Guid? TeamId, CategoryAmounts Deals, ForecastCall? Submitted);

/// <summary>
/// One team's line: deal amounts of the team and every team below it; <see cref="Submitted"/> = the sum of the calls
/// of its reps and of its child teams (each child's adjusted call where its manager adjusted, else its own roll-up);
/// <see cref="Call"/> = the manager's adjustment when there is one, else <see cref="Submitted"/>.
/// </summary>
public sealed record TeamForecast(Guid TeamId, CategoryAmounts Deals, ForecastCall? Submitted, ForecastCall? Adjusted, int Reps, int RepsSubmitted)
{
    public ForecastCall? Call => Adjusted ?? Submitted;
}

public static class ForecastRollup
{
    /// <summary>Rolls reps up their team tree; <paramref name="adjusted"/> holds each team's latest manager adjustment.</summary>
    public static IReadOnlyDictionary<Guid, TeamForecast> Compute(IReadOnlyList<ForecastTeam> teams, IReadOnlyList<RepForecast> reps,
        IReadOnlyDictionary<Guid, ForecastCall> adjusted)
    {
        var children = teams.Where(t => t.ParentId is not null).ToLookup(t => t.ParentId!.Value, t => t.Id);
        var repsByTeam = reps.Where(r => r.TeamId is not null).ToLookup(r => r.TeamId!.Value);
        var result = new Dictionary<Guid, TeamForecast>();
        var visiting = new HashSet<Guid>();

        TeamForecast Visit(Guid id)
        {
            if (result.TryGetValue(id, out var done)) return done;
            // A cycle in ParentTeamId is refused by the teams API; stop here rather than recurse forever if one slipped in.
            if (!visiting.Add(id)) return new TeamForecast(id, default, null, null, 0, 0);
            var deals = default(CategoryAmounts);
            ForecastCall? submitted = null;
            int count = 0, submittedCount = 0;
            foreach (var r in repsByTeam[id])
            {
                deals += r.Deals;
                count++;
                if (r.Submitted is { } s) { submitted = (submitted ?? default) + s; submittedCount++; }
            }
            foreach (var child in children[id])
            {
                var c = Visit(child);
                deals += c.Deals;
                count += c.Reps;
                submittedCount += c.RepsSubmitted;
                if (c.Call is { } call) submitted = (submitted ?? default) + call;
            }
            var line = new TeamForecast(id, deals, submitted, adjusted.TryGetValue(id, out var a) ? a : null, count, submittedCount);
            result[id] = line;
            return line;
        }

        foreach (var t in teams) Visit(t.Id);
        return result;
    }

    /// <summary>Accuracy and bias of a forecast once the actual is known (METRICS.md §5); none when the actual is 0.</summary>
    public static (decimal? Accuracy, decimal? Bias) Score(decimal forecast, decimal actual) =>
        (SalesFormulas.ForecastAccuracy(forecast, actual), SalesFormulas.ForecastBias(forecast, actual));
}
