// Prints MigrationBuilder code for the difference between the model and an empty database, per provider.
// Used once to start a migration file by hand; the committed migrations are maintained as code.
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.Extensions.DependencyInjection;
using RevLoop.Data;

var provider = args[0];
var target = provider == "sqlite" ? DatabaseTarget.Parse("/tmp/scaffold.db") : DatabaseTarget.Parse("Host=localhost;Database=x;Username=x");
var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddRevLoopData(target).BuildServiceProvider();
using var scope = services.CreateScope();
var db = scope.ServiceProvider.GetRequiredService<RevLoopDb>();
var differ = db.GetService<IMigrationsModelDiffer>();
var model = db.GetService<IDesignTimeModel>().Model;
var ops = differ.GetDifferences(null, model.GetRelationalModel());
var sb = new StringBuilder();
string Lit(object? v) => v switch
{
    null => "null", string s => "\"" + s.Replace("\"", "\\\"") + "\"", bool b => b ? "true" : "false",
    Enum e => e.GetType().FullName + "." + e, int i => i.ToString(CultureInfo.InvariantCulture), _ => Convert.ToString(v, CultureInfo.InvariantCulture)!,
};
string Cols(string[] c) => c.Length == 1 ? Lit(c[0]) : "new[] { " + string.Join(", ", c.Select(Lit)) + " }";
foreach (var op in ops)
{
    if (op is CreateTableOperation t)
    {
        sb.AppendLine($"        migrationBuilder.CreateTable(name: {Lit(t.Name)}, columns: table => new");
        sb.AppendLine("        {");
        foreach (var c in t.Columns)
        {
            var clr = c.ClrType; var name = clr.Name switch { "String" => "string", "Int32" => "int", "Int64" => "long", "Boolean" => "bool", "Byte[]" => "byte[]", "Decimal" => "decimal", _ => clr.FullName };
            var ann = string.Concat(c.GetAnnotations().Select(a => $".Annotation({Lit(a.Name)}, {Lit(a.Value)})"));
            var extra = c.MaxLength is { } ml ? $", maxLength: {ml}" : "";
            sb.AppendLine($"            {c.Name} = table.Column<{name}>(type: {Lit(c.ColumnType)}, nullable: {Lit(c.IsNullable)}{extra}){ann},");
        }
        sb.AppendLine("        },");
        sb.AppendLine("        constraints: table =>");
        sb.AppendLine("        {");
        sb.AppendLine($"            table.PrimaryKey({Lit(t.PrimaryKey!.Name)}, x => {(t.PrimaryKey.Columns.Length == 1 ? "x." + t.PrimaryKey.Columns[0] : "new { " + string.Join(", ", t.PrimaryKey.Columns.Select(c => "x." + c)) + " }")});");
        foreach (var fk in t.ForeignKeys)
            sb.AppendLine($"            table.ForeignKey(name: {Lit(fk.Name)}, column: x => x.{fk.Columns[0]}, principalTable: {Lit(fk.PrincipalTable)}, principalColumn: {Lit(fk.PrincipalColumns![0])}, onDelete: ReferentialAction.{fk.OnDelete});");
        sb.AppendLine("        });");
        sb.AppendLine();
    }
    else if (op is CreateIndexOperation i)
    {
        sb.AppendLine($"        migrationBuilder.CreateIndex(name: {Lit(i.Name)}, table: {Lit(i.Table)}, column{(i.Columns.Length == 1 ? "" : "s")}: {Cols(i.Columns)}{(i.IsUnique ? ", unique: true" : "")}{(i.Filter is null ? "" : ", filter: " + Lit(i.Filter))});");
    }
    else sb.AppendLine("        // UNHANDLED " + op.GetType().Name);
}
Console.Write(sb.ToString());
