using System.CommandLine;
using RevLoop.Platform;
using RevLoop.Server.Cli;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Crm.Duplicates;

/// <summary>
/// `revloop merge accounts|contacts|leads SURVIVOR DUPLICATE [--take name,industry]`: the API's merge from the command
/// line (same rules, same transaction, same history and event). Exit 2 on bad input, 1 when a record is not found.
/// </summary>
public static class MergeVerb
{
    public static Command Build()
    {
        var objectName = new Argument<string>("object") { Description = "accounts, contacts or leads" };
        objectName.AcceptOnlyFromAmong("accounts", "contacts", "leads");
        var survivor = new Argument<Guid>("survivor") { Description = "Id of the record that stays" };
        var duplicate = new Argument<Guid>("duplicate") { Description = "Id of the record merged into it (then deleted, pointing to the survivor)" };
        var take = new Option<string?>("--take") { Description = "Comma-separated API field names whose value comes from the duplicate, e.g. name,industry (others: the survivor's, or the duplicate's where the survivor has none)" };
        var cmd = new Command("merge", "Merge a duplicate account, contact or lead into another one, keeping every child and both histories.") { objectName, survivor, duplicate, take };
        cmd.SetAction((pr, ct) => RevLoopCli.WithServices(pr, ChangeSources.Cli, async (_, db) =>
        {
            var fields = (pr.GetValue(take) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToDictionary(f => f, _ => Merge.Duplicate);
            var input = new MergeInput(pr.GetValue(duplicate), fields);
            var (s, d) = (pr.GetValue(survivor), pr.GetValue(duplicate));
            try
            {
                var moved = pr.GetValue(objectName) switch
                {
                    "accounts" => (await Merge.AccountsAsync(db, s, input, null, ct))?.Moved,
                    "contacts" => (await Merge.ContactsAsync(db, s, input, null, ct))?.Moved,
                    _ => (await Merge.LeadsAsync(db, s, input, null, ct))?.Moved,
                };
                if (moved is null) { Console.Error.WriteLine($"error: no {pr.GetValue(objectName)![..^1]} has id {s}"); return 1; }
                Console.Error.WriteLine($"Merged {d} into {s}; moved {string.Join(", ", moved.Select(m => $"{m.Value} {m.Key}"))}");
                return 0;
            }
            catch (MergeRefused e)
            {
                Console.Error.WriteLine($"error: {e.Message}. {e.Detail}");
                return e.Status == 404 ? 1 : 2;
            }
        }, ct));
        return cmd;
    }
}
