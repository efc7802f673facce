using RevLoop.Data;
using RevLoop.Server.Crm.Accounts;
using RevLoop.Server.Crm.Contacts;
using RevLoop.Server.Crm.Leads;
using RevLoop.Server.Crm.Opportunities;

namespace RevLoop.Server.Platform.Imports;

/// <summary>The objects that import and export as CSV, by the name the CLI and the API use.</summary>
public static class CsvObjects
{
    public static readonly IReadOnlyList<string> Names = ["accounts", "contacts", "leads", "opportunities"];

    public static void Check(string name, string field)
    {
        if (!Names.Contains(name)) throw new InputException(field, $"'{name}' is not one of {string.Join(", ", Names)}");
    }

    public static ColumnMap? Map(string name, string? option) => ColumnMap.FromOption(option, name);

    /// <summary>Imports a file into the named object; an opportunities file with stage history (OpportunityHistory.csv) writes that history.</summary>
    public static async Task<ImportResult> ImportAsync(string name, RevLoopDb db, string path, string rejectPath, ImportOptions options,
        Func<ImportProgress, Task>? progress, CancellationToken ct)
    {
        CheckHeader(path);
        return name switch
        {
            "accounts" => await RecordImport.RunAsync(AccountCsv.Instance, db, path, rejectPath, options, progress, ct),
            "contacts" => await RecordImport.RunAsync(ContactCsv.Instance, db, path, rejectPath, options, progress, ct),
            "leads" => await RecordImport.RunAsync(LeadCsv.Instance, db, path, rejectPath, options, progress, ct),
            "opportunities" when StageHistoryImport.IsHistory(FirstLine(path)) => await StageHistoryImport.RunAsync(db, path, rejectPath, options, progress, ct),
            "opportunities" => await RecordImport.RunAsync(OpportunityCsv.Instance, db, path, rejectPath, options, progress, ct),
            _ => throw new InputException("object", $"'{name}' is not one of {string.Join(", ", Names)}"),
        };
    }

    public static Task<long> ExportAsync(string name, RevLoopDb db, Stream output, CancellationToken ct) => name switch
    {
        "accounts" => RecordExport.WriteAsync(AccountCsv.Instance, db, output, ct),
        "contacts" => RecordExport.WriteAsync(ContactCsv.Instance, db, output, ct),
        "leads" => RecordExport.WriteAsync(LeadCsv.Instance, db, output, ct),
        "opportunities" => RecordExport.WriteAsync(OpportunityCsv.Instance, db, output, ct),
        _ => throw new InputException("object", $"'{name}' is not one of {string.Join(", ", Names)}"),
    };

    private static void CheckHeader(string path)
    {
        if (!File.Exists(path)) throw new InputException("file", $"{path} does not exist");
    }

    private static List<string> FirstLine(string path)
    {
        using var reader = new StreamReader(path);
        var fields = new List<string>();
        try { new RevLoop.Platform.CsvRecords(reader).Read(fields); }
        catch (FormatException) { return []; } // the import itself reports the broken header with its line
        return fields.Select((f, i) => (i == 0 ? f.TrimStart('\uFEFF') : f).Trim()).ToList();
    }
}
