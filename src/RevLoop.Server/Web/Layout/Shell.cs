using Microsoft.EntityFrameworkCore;
using RevLoop.Data;
using RevLoop.Server.Platform;

namespace RevLoop.Server.Web.Layout;

/// <summary>
/// What the frame shows (who is signed in, the company), loaded once by the root component before any page starts,
/// so the layout never touches the request's DbContext while the page is using it.
/// </summary>
public sealed record Shell(string UserName, string Email, string Role, string Company)
{
    public static readonly Shell Anonymous = new("", "", "", "");

    public static async Task<Shell> LoadAsync(HttpContext http, RevLoopDb db)
    {
        if (Ui.UserId(http.User) is not { } id) return Anonymous;
        var ct = http.RequestAborted;
        var me = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.DisplayName, u.Email, u.Role }).FirstOrDefaultAsync(ct);
        var company = (await SettingsApi.LoadAsync(db, ct)).CompanyName;
        var email = me?.Email ?? "";
        return new Shell(string.IsNullOrWhiteSpace(me?.DisplayName) ? email : me.DisplayName, email, me?.Role ?? "", company);
    }
}
