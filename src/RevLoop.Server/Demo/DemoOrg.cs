using System.Security.Cryptography;
using System.Text;
using RevLoop.Platform;

namespace RevLoop.Server.Demo;

/// <summary>A demo user with the date they joined (records before that date are not theirs).</summary>
public sealed class DemoUser
{
    public required User Row { get; init; }
    public required string Actor { get; init; }
    public DateTimeOffset HiredAt => Row.CreatedAt;
}

/// <summary>A territory team and the people in it.</summary>
public sealed class DemoTerritory
{
    public required Team Team { get; init; }
    public required string Region { get; init; }
    public required DateTimeOffset OpensAt { get; init; }
    public List<DemoUser> Aes { get; } = [];
    public List<DemoUser> Sdrs { get; } = [];
    public List<DemoUser> Bdrs { get; } = [];
    public List<DemoUser> Csms { get; } = [];
    public DemoUser Manager { get; set; } = null!;
}

/// <summary>
/// The demo company's organisation: a team tree by region (Global > EMEA > DACH ...) plus functional teams, and users in
/// every role, hired as the company grew. All share <see cref="DemoOptions.Password"/>.
/// </summary>
public sealed class DemoOrg
{
    public List<Team> Teams { get; } = [];
    public List<DemoUser> Users { get; } = [];
    public Dictionary<string, DemoTerritory> Territories { get; } = [];
    /// <summary>The first user of each role, signed in as {role}@demo.revloop.dev (admin: admin@demo.revloop.dev).</summary>
    public Dictionary<string, DemoUser> RoleLogins { get; } = [];
    public List<DemoUser> Marketing { get; } = [];
    public List<DemoUser> ProjectManagers { get; } = [];

    private readonly HashSet<string> emails = [];
    private readonly DemoRandom rng;
    private readonly DateTimeOffset start, end;
    private readonly string passwordHash;

    public DemoOrg(DemoRandom rng, DateTimeOffset start, DateTimeOffset end, int opportunities)
    {
        this.rng = rng; this.start = start; this.end = end;
        passwordHash = HashPassword(DemoOptions.Password, rng);

        var global = AddTeam("Global", null, start);
        var regions = new Dictionary<string, Team>
        {
            [DemoWorld.Americas] = AddTeam("Americas", global, start),
            [DemoWorld.Emea] = AddTeam("EMEA", global, start),
            [DemoWorld.Apac] = AddTeam("APAC", global, start),
        };
        var revops = AddTeam("Revenue Operations", global, start);
        var marketing = AddTeam("Marketing", global, start);
        var finance = AddTeam("Finance", global, start);
        var services = AddTeam("Professional Services", global, start);
        var partners = AddTeam("Partners", global, start);

        AddUser(Roles.Admin, revops, start, "en", alias: "admin");
        var cro = AddUser(Roles.Executive, global, start, "en", title: "Chief Revenue Officer");
        global.ManagerUserId = cro.Row.Id;
        AddUser(Roles.Executive, global, start, "en", title: "Chief Executive Officer");
        AddUser(Roles.Executive, global, start.AddMonths(6), "en", title: "Chief Financial Officer");
        AddUser(Roles.Executive, global, start.AddMonths(14), "en", title: "Chief Marketing Officer");
        AddUser(Roles.Executive, global, start.AddMonths(20), "en", title: "VP Customer Success");
        var scale = Math.Max(1.0, Math.Sqrt(opportunities / 30_000.0));
        var revopsLead = AddUser(Roles.RevOps, revops, start.AddMonths(3), "en");
        revops.ManagerUserId = revopsLead.Row.Id;
        for (var i = 0; i < (int)(2 * scale); i++) AddUser(Roles.RevOps, revops, Hire(start.AddMonths(12)), "en");
        var marketingLead = AddUser(Roles.Marketing, marketing, start.AddMonths(2), "en", collect: Marketing);
        marketing.ManagerUserId = marketingLead.Row.Id;
        for (var i = 0; i < (int)(4 * scale); i++) AddUser(Roles.Marketing, marketing, Hire(start.AddMonths(6)), i % 3 == 1 ? "de" : "en", collect: Marketing);
        var controller = AddUser(Roles.Finance, finance, start.AddMonths(4), "en");
        finance.ManagerUserId = controller.Row.Id;
        for (var i = 0; i < (int)(2 * scale); i++) AddUser(Roles.Finance, finance, Hire(start.AddMonths(10)), "en");
        var servicesLead = AddUser(Roles.ProjectManager, services, start.AddMonths(5), "en", collect: ProjectManagers);
        services.ManagerUserId = servicesLead.Row.Id;
        for (var i = 0; i < (int)(3 * scale); i++) AddUser(Roles.ProjectManager, services, Hire(start.AddMonths(9)), i == 1 ? "de" : "en", collect: ProjectManagers);
        partners.ManagerUserId = AddUser(Roles.SalesManager, partners, start.AddMonths(12), "en", title: "Channel Manager").Row.Id;
        var resellers = new[] { ("Northbridge Consulting", "en"), ("Kairos Digital", "de"), ("Selat Solutions", "ms"), ("Andes Partners", "es") }
            .Select(p => AddUser(Roles.Partner, partners, Hire(start.AddMonths(15)), p.Item2, title: p.Item1)).ToList();

        var regionManaged = new HashSet<string>();
        var totalWeight = DemoWorld.Countries.Sum(c => c.Weight);
        foreach (var (region, name, month) in DemoWorld.Territories)
        {
            var opens = start.AddMonths(month);
            if (regionManaged.Add(region))
                regions[region].ManagerUserId = AddUser(Roles.SalesManager, regions[region], opens.AddDays(-30) < start ? start : opens.AddDays(-30), Culture(name), title: $"VP Sales {region}").Row.Id;
            var team = AddTeam(name, regions[region], opens);
            var territory = new DemoTerritory { Team = team, Region = region, OpensAt = opens };
            Territories[name] = territory;
            var culture = Culture(name);
            var weight = DemoWorld.Countries.Where(c => c.Team == name).Sum(c => c.Weight) / totalWeight;
            var aes = Math.Clamp((int)Math.Round(62 * weight * opportunities / 30_000.0), 2, 60);
            territory.Manager = AddUser(Roles.SalesManager, team, Max(start, opens.AddDays(-21)), culture);
            team.ManagerUserId = territory.Manager.Row.Id;
            for (var i = 0; i < aes; i++) territory.Aes.Add(AddUser(Roles.Ae, team, i == 0 ? Max(start, opens.AddDays(-14)) : Hire(opens), culture));
            for (var i = 0; i < Math.Max(1, aes / 3); i++) territory.Sdrs.Add(AddUser(Roles.Sdr, team, i == 0 ? opens.AddDays(20) : Hire(opens.AddDays(20)), culture));
            for (var i = 0; i < Math.Max(1, aes / 3); i++) territory.Bdrs.Add(AddUser(Roles.Bdr, team, i == 0 ? opens.AddDays(30) : Hire(opens.AddDays(30)), culture));
            for (var i = 0; i < Math.Max(1, (int)Math.Round(aes / 2.5)); i++) territory.Csms.Add(AddUser(Roles.Csm, team, i == 0 ? opens.AddDays(60) : Hire(opens.AddDays(60)), culture));
            foreach (var pool in new[] { territory.Aes, territory.Sdrs, territory.Bdrs, territory.Csms }) ByHireDate(pool);
        }

        // One easy login per role, picked to have something to show: NA East's first hires, the leads of each function.
        var na = Territories["NA East"];
        foreach (var u in new[] { cro, na.Manager, na.Aes[0], na.Sdrs[0], na.Bdrs[0], na.Csms[0], revopsLead, marketingLead, controller, servicesLead, resellers[0] })
            Alias(u);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Sorts a pool by hire date (stable), as <see cref="At"/> expects.</summary>
    private static void ByHireDate(List<DemoUser> pool)
    {
        var sorted = pool.Select((u, i) => (u, i)).OrderBy(x => x.u.HiredAt).ThenBy(x => x.i).Select(x => x.u).ToList();
        pool.Clear();
        pool.AddRange(sorted);
    }

    private static string Culture(string territory) => territory switch
    {
        "DACH" => "de", "Nordics" => "sv", "CEE & Turkey" => "pl", "LATAM" => "es", "SEA" => "sg", "Greater China" => "zh", "ANZ" => "en-au", _ => "en",
    };

    /// <summary>A hire date after <paramref name="from"/>, more of them later as the company grows.</summary>
    private DateTimeOffset Hire(DateTimeOffset from)
    {
        var last = end.AddDays(-45);
        if (from >= last) return from;
        return DemoTime.Growth(rng, from, last);
    }

    private Team AddTeam(string name, Team? parent, DateTimeOffset at)
    {
        var team = new Team { Id = rng.Guid7(at), Name = name, ParentTeamId = parent?.Id };
        Teams.Add(team);
        return team;
    }

    private DemoUser AddUser(string role, Team team, DateTimeOffset hired, string culture, string? alias = null, string? title = null, List<DemoUser>? collect = null)
    {
        hired = DemoTime.WorkHours(rng, hired, "");
        var name = DemoWorld.Person(rng, culture);
        var local = alias ?? $"{name.AsciiFirst}.{name.AsciiLast}";
        var email = $"{local}@{DemoOptions.EmailDomain}";
        for (var n = 2; !emails.Add(email); n++) email = $"{local}{n}@{DemoOptions.EmailDomain}";
        var display = role == Roles.Admin ? "Demo Admin" : $"{name.First} {name.Last}";
        if (role == Roles.Partner && title is not null) display += $" ({title})";
        var user = new User
        {
            Id = rng.Guid7(hired), UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true, PasswordHash = passwordHash, SecurityStamp = Base32(rng), ConcurrencyStamp = rng.Guid7(hired).ToString(),
            LockoutEnabled = true, DisplayName = display, Role = role, TeamId = team.Id, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(hired.ToUnixTimeMilliseconds()),
        };
        var demoUser = new DemoUser { Row = user, Actor = $"user:{user.Id}" };
        Users.Add(demoUser);
        if (alias is not null) RoleLogins[role] = demoUser;
        collect?.Add(demoUser);
        return demoUser;
    }

    private void Alias(DemoUser u)
    {
        var email = $"{u.Row.Role.Replace('_', '-')}@{DemoOptions.EmailDomain}";
        if (!emails.Add(email)) throw new InvalidOperationException($"{email} is taken");
        emails.Remove(u.Row.Email!);
        u.Row.Email = email; u.Row.UserName = email; u.Row.NormalizedEmail = email.ToUpperInvariant(); u.Row.NormalizedUserName = email.ToUpperInvariant();
        RoleLogins[u.Row.Role] = u;
    }

    private static string Base32(DemoRandom rng)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder(32);
        for (var i = 0; i < 32; i++) sb.Append(alphabet[rng.Next(32)]);
        return sb.ToString();
    }

    /// <summary>
    /// The ASP.NET Core Identity v3 password hash (PBKDF2-HMAC-SHA512, 100,000 iterations, 16-byte salt, 32-byte key),
    /// with the salt from the seeded generator so the data repeats; the standard PasswordHasher verifies it. One hash
    /// for all demo users: they share the documented demo password anyway.
    /// </summary>
    public static string HashPassword(string password, DemoRandom rng)
    {
        const int iterations = 100_000;
        var salt = new byte[16];
        for (var i = 0; i < salt.Length; i++) salt[i] = (byte)rng.Next(256);
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, 32);
        var output = new byte[13 + salt.Length + key.Length];
        output[0] = 0x01;
        WriteUInt32(output, 1, 2); // KeyDerivationPrf.HMACSHA512
        WriteUInt32(output, 5, iterations);
        WriteUInt32(output, 9, (uint)salt.Length);
        salt.CopyTo(output, 13);
        key.CopyTo(output, 13 + salt.Length);
        return Convert.ToBase64String(output);
    }

    private static void WriteUInt32(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24); buffer[offset + 1] = (byte)(value >> 16); buffer[offset + 2] = (byte)(value >> 8); buffer[offset + 3] = (byte)value;
    }

    public void Write(BulkSink sink)
    {
        var teams = sink.Table<Team>();
        foreach (var t in Teams) teams.Add(t);
        teams.Flush();
        var users = sink.Table<User>();
        foreach (var u in Users) users.Add(u.Row);
        users.Flush();
    }

    /// <summary>A user of <paramref name="pool"/> (sorted by hire date) who worked there at <paramref name="at"/>; the first hire when nobody did yet.</summary>
    public static DemoUser At(List<DemoUser> pool, DateTimeOffset at, DemoRandom rng)
    {
        var hired = 0;
        while (hired < pool.Count && pool[hired].HiredAt <= at) hired++;
        return hired == 0 ? pool[0] : pool[rng.Next(hired)];
    }
}
