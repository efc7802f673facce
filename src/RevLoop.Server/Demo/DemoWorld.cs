using System.Text;

namespace RevLoop.Server.Demo;

/// <summary>A country the demo company sells into: its territory team, currency, phone plan, names and legal forms.</summary>
public sealed record DemoCountry(
    string Code, string Name, string Region, string Team, string Currency, double Weight, string Culture,
    string PhonePrefix, string[] NumberStarts, int NumberLength, string[] Tlds, string[] LegalForms, bool LegalFormFirst = false);

/// <summary>A person's name as shown, and the ASCII spelling email addresses are made from.</summary>
public readonly record struct DemoName(string First, string Last, string AsciiFirst, string AsciiLast, bool Female);

/// <summary>The world of the demo: territories, countries, people's and companies' names, industries and titles.</summary>
public static class DemoWorld
{
    public const string Emea = "EMEA", Americas = "Americas", Apac = "APAC";

    /// <summary>Territory teams by region, in the order the company opened them, with the month (from the start) each opened.</summary>
    public static readonly IReadOnlyList<(string Region, string Team, int OpensInMonth)> Territories =
    [
        (Americas, "NA East", 0), (Americas, "NA West", 0), (Emea, "UKI", 8), (Emea, "DACH", 10), (Emea, "Nordics", 20),
        (Emea, "CEE & Turkey", 26), (Apac, "ANZ", 22), (Apac, "SEA", 28), (Americas, "LATAM", 30), (Apac, "Greater China", 34),
    ];

    private static readonly string[] Eu = ["EUR"];

    public static readonly IReadOnlyList<DemoCountry> Countries =
    [
        new("US", "United States", Americas, "NA East", "USD", 17, "en", "+1", ["212", "617", "646", "404", "305", "202", "215", "973", "704", "312", "857", "267"], 10, ["com", "com", "io", "ai", "co"], ["Inc.", "Inc.", "LLC", "Corp.", "Inc."]),
        new("US", "United States", Americas, "NA West", "USD", 14, "en", "+1", ["415", "650", "408", "206", "310", "213", "503", "702", "303", "512", "858", "720"], 10, ["com", "com", "io", "ai", "co"], ["Inc.", "Inc.", "LLC", "Corp.", "Inc."]),
        new("CA", "Canada", Americas, "NA East", "USD", 2, "en-ca", "+1", ["416", "647", "514", "613", "902"], 10, ["ca", "com"], ["Inc.", "Ltd.", "Corp."]),
        new("CA", "Canada", Americas, "NA West", "USD", 1.5, "en", "+1", ["604", "778", "403", "587", "780"], 10, ["ca", "com"], ["Inc.", "Ltd.", "Corp."]),
        new("GB", "United Kingdom", Emea, "UKI", "GBP", 8, "en", "+44", ["20", "161", "121", "131", "113", "117", "7700", "7911", "7812"], 10, ["co.uk", "co.uk", "com", "io"], ["Ltd", "Ltd", "Limited", "plc"]),
        new("IE", "Ireland", Emea, "UKI", "EUR", 1.2, "en-ie", "+353", ["1", "21", "61", "85", "86", "87"], 9, ["ie", "com"], ["Ltd", "DAC", "Limited"]),
        new("DE", "Germany", Emea, "DACH", "EUR", 7, "de", "+49", ["30", "40", "89", "69", "211", "221", "711", "151", "160", "170", "176"], 11, ["de", "de", "com", "io"], ["GmbH", "GmbH", "GmbH", "AG", "SE", "GmbH & Co. KG"]),
        new("AT", "Austria", Emea, "DACH", "EUR", 1.2, "de-at", "+43", ["1", "316", "512", "662", "664", "676", "699"], 10, ["at", "com"], ["GmbH", "GmbH", "AG"]),
        new("CH", "Switzerland", Emea, "DACH", "EUR", 1.5, "de-ch", "+41", ["44", "31", "61", "21", "22", "79", "78"], 9, ["ch", "com"], ["AG", "GmbH", "SA"]),
        new("SE", "Sweden", Emea, "Nordics", "EUR", 1.6, "sv", "+46", ["8", "31", "40", "70", "72", "73"], 9, ["se", "com", "io"], ["AB"]),
        new("NO", "Norway", Emea, "Nordics", "EUR", 1.0, "no", "+47", ["2", "4", "9"], 8, ["no", "com"], ["AS", "ASA"]),
        new("DK", "Denmark", Emea, "Nordics", "EUR", 1.0, "da", "+45", ["3", "2", "4", "5", "7"], 8, ["dk", "com"], ["A/S", "ApS"]),
        new("FI", "Finland", Emea, "Nordics", "EUR", 0.8, "fi", "+358", ["9", "40", "44", "50"], 9, ["fi", "com"], ["Oy", "Oyj"]),
        new("PL", "Poland", Emea, "CEE & Turkey", "EUR", 1.6, "pl", "+48", ["22", "12", "61", "71", "50", "60", "69", "79"], 9, ["pl", "com.pl", "com"], ["sp. z o.o.", "sp. z o.o.", "S.A."]),
        new("TR", "Türkiye", Emea, "CEE & Turkey", "EUR", 1.3, "tr", "+90", ["212", "216", "312", "232", "532", "533", "542", "505"], 10, ["com.tr", "com"], ["A.Ş.", "Ltd. Şti."]),
        new("BR", "Brazil", Americas, "LATAM", "USD", 3, "pt-br", "+55", ["11", "21", "31", "41", "51", "61"], 11, ["com.br", "com"], ["Ltda.", "S.A.", "Ltda."]),
        new("MX", "Mexico", Americas, "LATAM", "USD", 2, "es", "+52", ["55", "33", "81", "222", "442"], 10, ["com.mx", "mx", "com"], ["S.A. de C.V.", "S. de R.L. de C.V."]),
        new("AR", "Argentina", Americas, "LATAM", "USD", 0.8, "es", "+54", ["11", "351", "341", "261"], 10, ["com.ar", "com"], ["S.A.", "S.R.L."]),
        new("CL", "Chile", Americas, "LATAM", "USD", 0.6, "es", "+56", ["2", "9"], 9, ["cl", "com"], ["SpA", "S.A."]),
        new("CO", "Colombia", Americas, "LATAM", "USD", 0.7, "es", "+57", ["601", "604", "300", "310", "315"], 10, ["com.co", "co"], ["S.A.S.", "S.A."]),
        new("AU", "Australia", Apac, "ANZ", "USD", 4, "en-au", "+61", ["2", "3", "7", "8", "4"], 9, ["com.au", "com.au", "com", "io"], ["Pty Ltd", "Pty Ltd", "Ltd"]),
        new("NZ", "New Zealand", Apac, "ANZ", "USD", 0.8, "en-au", "+64", ["9", "4", "3", "21", "22", "27"], 9, ["co.nz", "com"], ["Limited", "Ltd"]),
        new("SG", "Singapore", Apac, "SEA", "USD", 2, "sg", "+65", ["6", "8", "9"], 8, ["com.sg", "sg", "com", "io"], ["Pte. Ltd.", "Pte. Ltd.", "Ltd."]),
        new("MY", "Malaysia", Apac, "SEA", "USD", 1.2, "ms", "+60", ["3", "4", "12", "13", "16", "17", "19"], 9, ["com.my", "my", "com"], ["Sdn. Bhd.", "Sdn. Bhd.", "Berhad"]),
        new("TH", "Thailand", Apac, "SEA", "USD", 1.0, "th", "+66", ["2", "81", "82", "86", "89", "91", "92"], 9, ["co.th", "com"], ["Co., Ltd.", "Co., Ltd.", "Public Company Limited"]),
        new("ID", "Indonesia", Apac, "SEA", "USD", 1.2, "id", "+62", ["21", "811", "812", "813", "821", "857"], 11, ["co.id", "id", "com"], ["Tbk", ""], LegalFormFirst: true),
        new("PH", "Philippines", Apac, "SEA", "USD", 0.8, "ph", "+63", ["2", "917", "918", "927", "998"], 10, ["com.ph", "ph", "com"], ["Inc.", "Corporation"]),
        new("VN", "Vietnam", Apac, "SEA", "USD", 0.6, "vi", "+84", ["24", "28", "90", "91", "98"], 9, ["vn", "com.vn", "com"], ["JSC", "Co., Ltd."]),
        new("CN", "China", Apac, "Greater China", "USD", 2.5, "zh", "+86", ["10", "21", "755", "571", "139", "138", "186", "135"], 11, ["cn", "com.cn", "com"], ["Co., Ltd.", "Co., Ltd.", "Group Co., Ltd."]),
        new("HK", "Hong Kong", Apac, "Greater China", "USD", 1.0, "hk", "+852", ["2", "3", "5", "6", "9"], 8, ["com.hk", "hk", "com"], ["Limited", "Limited", "Holdings Limited"]),
        new("TW", "Taiwan", Apac, "Greater China", "USD", 1.0, "tw", "+886", ["2", "4", "7", "9"], 9, ["com.tw", "tw", "com"], ["Co., Ltd.", "Corporation"]),
    ];

    public static readonly IReadOnlyList<string> Industries =
    [
        "Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Education", "Logistics", "Media", "Telecommunications",
        "Energy", "Professional Services", "Public Sector", "Travel & Hospitality", "Real Estate", "Automotive", "Insurance", "Life Sciences",
    ];

    public static readonly IReadOnlyList<(string Industry, double Weight)> IndustryWeights =
    [
        ("Software", 18), ("Financial Services", 11), ("Healthcare", 8), ("Manufacturing", 10), ("Retail", 8), ("Education", 4), ("Logistics", 6),
        ("Media", 4), ("Telecommunications", 4), ("Energy", 3), ("Professional Services", 9), ("Public Sector", 2), ("Travel & Hospitality", 3),
        ("Real Estate", 3), ("Automotive", 3), ("Insurance", 4), ("Life Sciences", 3),
    ];

    // First names: (name, female).
    private static readonly Dictionary<string, (string First, bool Female)[]> FirstNames = new()
    {
        ["en"] = F("James Olivia* William Emily* Oliver Charlotte* Jack Sophie* Harry Grace* Thomas Chloe* Daniel Hannah* Michael Sarah* David Jessica* Matthew Ashley* Christopher Jennifer* Ryan Megan* Liam Ava* Noah Mia* Ethan Madison* Priya* Raj Wei Mei* Carlos Maria* Aisha* Omar Kevin Laura* Brian Rachel* Andrew Nicole* Jason Emma* Tyler Lauren*"),
        ["de"] = F("Lukas Anna* Jonas Lea* Felix Sophie* Maximilian Laura* Paul Julia* Leon Katharina* Tobias Miriam* Stefan Sabine* Michael Claudia* Andreas Petra* Jan Lena* Florian Nina* Matthias Susanne* Thomas Johanna* Christian Melanie* Markus Franziska*"),
        ["sv"] = F("Erik Anna* Lars Ingrid* Johan Karin* Nils Sofia* Mikael Emma* Henrik Maja* Oskar Elin* Magnus Linnea* Gustav Astrid*"),
        ["no"] = F("Ole Ingrid* Lars Kari* Henrik Nora* Magnus Silje* Sindre Ida* Eirik Hanne* Jonas Maren*"),
        ["da"] = F("Rasmus Freja* Mads Ida* Frederik Camilla* Mikkel Mette* Søren Louise* Anders Sofie*"),
        ["fi"] = F("Mikko Aino* Jukka Sanna* Antti Laura* Juha Hanna* Ville Emilia* Timo Riikka*"),
        ["pl"] = F("Piotr Anna* Krzysztof Katarzyna* Tomasz Agnieszka* Paweł Magdalena* Michał Joanna* Marcin Aleksandra* Łukasz Małgorzata* Jakub Zofia*"),
        ["tr"] = F("Mehmet Ayşe* Mustafa Fatma* Ahmet Zeynep* Emre Elif* Burak Selin* Can Deniz* Murat Ece* Oğuz Büşra*"),
        ["pt-br"] = F("João Maria* Pedro Ana* Lucas Beatriz* Gabriel Juliana* Rafael Fernanda* Gustavo Camila* Thiago Larissa* Bruno Letícia*"),
        ["es"] = F("Mateo Sofía* Santiago Valentina* Sebastián Camila* Diego Isabella* Alejandro Lucía* Nicolás Mariana* Andrés Gabriela* Javier Daniela*"),
        ["zh"] = F("Wei Fang* Lei Min* Jun Jing* Hao Yan* Tao Hui* Yu Xin* Jie Ying* Zhiwei Xiaoming Yuting* Haoran Lina*"),
        ["hk"] = F("Kelvin Karen* Alan Cindy* Raymond Winnie* Eric Vivian* Tony Joyce* Ka_Ho Wing_Yan*"),
        ["tw"] = F("Chih-Wei Yi-Ting* Chia-Hao Pei-Shan* Chun-Hung Hsin-Yi* Yu-Cheng Shu-Fen*"),
        ["ms"] = F("Ahmad Siti* Muhammad Nurul* Farid Aisyah* Hafiz Farah* Amirul Zainab* Wei_Ming Mei_Ling* Rajesh Priya*"),
        ["th"] = F("Somchai Kanya* Nattapong Siriporn* Thanawat Pimchanok* Chaiwat Supaporn* Anan Ratana* Kittisak Wannapa*"),
        ["id"] = F("Budi Siti* Agus Dewi* Eko Rina* Andi Putri* Hendra Wulan* Rizky Ayu*"),
        ["ph"] = F("Jose Maria* Mark Kristine* Carlo Angelica* Miguel Patricia* Paolo Andrea*"),
        ["vi"] = F("Minh Anh* Duc Huong* Tuan Lan* Quang Thao* Hung Linh*"),
        ["sg"] = F("Kelvin Jasmine* Jun_Jie Wei_Ling* Marcus Rachel* Darren Shu_Hui* Arjun Divya*"),
    };

    private static readonly Dictionary<string, string[]> LastNames = new()
    {
        ["en"] = L("Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Miller Davis Anderson Martin Lee Harris Clark Lewis Young King Scott Baker Patel Singh Chen Nguyen Kim Rodriguez"),
        ["de"] = L("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange Werner Huber Gruber Keller Meier Bauer"),
        ["sv"] = L("Andersson Johansson Karlsson Nilsson Eriksson Larsson Lindqvist Lindberg Olsson Persson Svensson Gustafsson"),
        ["no"] = L("Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Berg Haugen Bakke Dahl"),
        ["da"] = L("Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Madsen"),
        ["fi"] = L("Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen"),
        ["pl"] = L("Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Krawczyk"),
        ["tr"] = L("Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin"),
        ["pt-br"] = L("Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho Almeida Barbosa"),
        ["es"] = L("García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Morales Vargas Castro Rojas"),
        ["zh"] = L("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao"),
        ["hk"] = L("Wong Chan Cheung Lau Leung Ho Lam Tsang Ng Yip"),
        ["tw"] = L("Chen Lin Huang Chang Lee Wang Wu Liu Tsai Yang"),
        ["ms"] = L("Abdullah Ismail Rahman Hassan Ibrahim Yusof Tan Lim Lee Wong Kumar Raj"),
        ["th"] = L("Saetang Srisuk Wongsawat Chaiyaporn Boonmee Suwannarat Kongkaew Thongchai Rattanakorn Phongsakorn"),
        ["id"] = L("Santoso Wijaya Pratama Saputra Hidayat Kusuma Nugroho Setiawan Gunawan Halim"),
        ["ph"] = L("Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Villanueva Ramos Aquino"),
        ["vi"] = L("Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do"),
        ["sg"] = L("Tan Lim Lee Ng Ong Goh Chua Teo Koh Rahman Nair"),
    };

    // Mandarin names written in Hanzi for part of the mainland contacts; email addresses use the pinyin.
    private static readonly Dictionary<string, string> Hanzi = new()
    {
        ["Wang"] = "王", ["Li"] = "李", ["Zhang"] = "张", ["Liu"] = "刘", ["Chen"] = "陈", ["Yang"] = "杨", ["Huang"] = "黄", ["Zhao"] = "赵", ["Wu"] = "吴",
        ["Zhou"] = "周", ["Xu"] = "徐", ["Sun"] = "孙", ["Ma"] = "马", ["Zhu"] = "朱", ["Hu"] = "胡", ["Guo"] = "郭", ["He"] = "何", ["Lin"] = "林", ["Luo"] = "罗",
        ["Gao"] = "高", ["Wei"] = "伟", ["Fang"] = "芳", ["Lei"] = "磊", ["Min"] = "敏", ["Jun"] = "军", ["Jing"] = "静", ["Hao"] = "浩", ["Yan"] = "燕",
        ["Tao"] = "涛", ["Hui"] = "慧", ["Yu"] = "宇", ["Xin"] = "欣", ["Jie"] = "杰", ["Ying"] = "颖", ["Zhiwei"] = "志伟", ["Xiaoming"] = "晓明",
        ["Yuting"] = "雨婷", ["Haoran"] = "浩然", ["Lina"] = "丽娜",
    };

    private static (string, bool)[] F(string names) => names.Split(' ').Select(n => (n.TrimEnd('*').Replace('_', ' '), n.EndsWith('*'))).ToArray();
    private static string[] L(string names) => names.Split(' ');

    private static string NameCulture(string culture) => culture switch
    {
        "en-ca" or "en-ie" or "en-au" => "en",
        "de-at" or "de-ch" => "de",
        _ => culture,
    };

    public static DemoName Person(DemoRandom rng, string culture)
    {
        var c = NameCulture(culture);
        // Immigrant and expatriate names everywhere, more in the English-speaking and Singaporean markets.
        if (c is not "en" && rng.Chance(0.06)) c = "en";
        var (first, female) = rng.Pick(FirstNames[c]);
        var last = rng.Pick(LastNames[c]);
        if (c == "pl" && female) last = last.EndsWith("ski", StringComparison.Ordinal) ? last[..^1] + "a" : last.EndsWith("cki", StringComparison.Ordinal) ? last[..^1] + "a" : last;
        if (c == "zh" && rng.Chance(0.45) && Hanzi.TryGetValue(first, out var hf) && Hanzi.TryGetValue(last, out var hl))
            return new DemoName(hf, hl, Ascii(first), Ascii(last), female);
        return new DemoName(first, last, Ascii(first), Ascii(last), female);
    }

    /// <summary>Lower-case ASCII for addresses and domains: diacritics folded, anything else dropped.</summary>
    public static string Ascii(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s.ToLowerInvariant())
        {
            var folded = ch switch
            {
                'ä' => "ae", 'ö' => "oe", 'ü' => "ue", 'ß' => "ss", 'å' => "a", 'æ' => "ae", 'ø' => "o", 'é' or 'è' or 'ê' or 'ë' or 'ę' => "e",
                'á' or 'à' or 'â' or 'ã' or 'ą' => "a", 'í' or 'ì' or 'î' or 'ı' => "i", 'ó' or 'ò' or 'ô' or 'õ' => "o", 'ú' or 'ù' or 'û' => "u",
                'ç' or 'ć' => "c", 'ñ' or 'ń' => "n", 'ł' => "l", 'ś' or 'ş' => "s", 'ź' or 'ż' => "z", 'ğ' => "g", _ => null,
            };
            if (folded is not null) sb.Append(folded);
            else if (ch is >= 'a' and <= 'z' or >= '0' and <= '9') sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>An E.164 number of the country: its calling code, a real-looking area or mobile prefix, random digits.</summary>
    public static string Phone(DemoRandom rng, DemoCountry country)
    {
        var start = rng.Pick(country.NumberStarts);
        var sb = new StringBuilder(country.PhonePrefix).Append(start);
        for (var i = start.Length; i < country.NumberLength; i++) sb.Append((char)('0' + (i == start.Length ? rng.Between(2, 9) : rng.Next(10))));
        return sb.ToString();
    }

    // Company names: a brand from roots and endings or a surname, an industry word in the local language, a legal form.
    private static readonly string[] Roots =
    [
        "Nord", "Blue", "Silver", "Bright", "Clear", "Stone", "Iron", "Oak", "Cedar", "Pine", "Swift", "Nova", "Astra", "Vela", "Terra", "Aqua", "Helio",
        "Lumen", "Quanta", "Vertex", "Apex", "Summit", "Harbor", "River", "Falcon", "Eagle", "Fox", "Orbit", "Pixel", "Omni", "Poly", "Zen", "Kite",
        "Beacon", "Anchor", "Atlas", "Crest", "Delta", "Echo", "Fjord", "Glacier", "Granite", "Maple", "Meridian", "Northstar", "Onyx", "Pioneer",
        "Prism", "Quill", "Radiant", "Sage", "Sierra", "Solstice", "Sterling", "Tidal", "Trident", "Vantage", "Willow", "Zephyr", "Cobalt", "Ember",
        "Juniper", "Keystone", "Lattice", "Mosaic", "Nimbus", "Oasis", "Paragon", "Redwood", "Sapphire", "Tundra", "Umbra", "Vireo", "Wren", "Zenith",
    ];

    private static readonly string[] Endings =
        ["ware", "works", "logic", "soft", "tech", "labs", "point", "line", "bridge", "field", "gate", "hub", "stream", "path", "scale", "wave", "core", "sys", "net", "ly", "io", "ify"];

    private static readonly Dictionary<string, string[]> IndustryWords = new()
    {
        ["en"] = ["Systems", "Solutions", "Group", "Technologies", "Logistics", "Health", "Capital", "Partners", "Analytics", "Networks", "Energy", "Foods", "Retail", "Media", "Labs", "Manufacturing", "Insurance", "Consulting"],
        ["de"] = ["Systemhaus", "Maschinenbau", "Logistik", "Versicherung", "Energie", "Werke", "Technik", "Handel", "Medien", "Consulting", "Software", "Bau"],
        ["sv"] = ["Data", "Energi", "Logistik", "System", "Teknik", "Skog", "Finans"],
        ["no"] = ["Data", "Energi", "Havbruk", "Teknologi", "Finans", "Logistikk"],
        ["da"] = ["Data", "Energi", "Logistik", "Teknik", "Finans", "Medico"],
        ["fi"] = ["Data", "Energia", "Logistiikka", "Tekniikka", "Ohjelmistot"],
        ["pl"] = ["Logistyka", "Systemy", "Technologie", "Budownictwo", "Energetyka", "Software", "Finanse"],
        ["tr"] = ["Teknoloji", "Lojistik", "Enerji", "Yazılım", "Holding", "Gıda", "Sigorta"],
        ["pt-br"] = ["Tecnologia", "Soluções", "Sistemas", "Logística", "Energia", "Grupo", "Saúde"],
        ["es"] = ["Soluciones", "Tecnología", "Grupo", "Servicios", "Logística", "Energía", "Sistemas"],
        ["zh"] = ["Technology", "Information Technology", "Software", "Logistics", "Medical Technology", "Network Technology"],
        ["hk"] = ["Holdings", "Technology", "Trading", "Logistics", "Financial", "Digital"],
        ["tw"] = ["Technology", "Electronics", "Semiconductor", "Precision", "Digital"],
        ["ms"] = ["Teknologi", "Perkhidmatan", "Logistik", "Digital", "Solutions", "Holdings"],
        ["th"] = ["Siam Digital", "Technology", "Logistics", "Solutions", "Holdings"],
        ["id"] = ["Teknologi", "Solusi", "Digital", "Logistik", "Sejahtera", "Mandiri"],
        ["ph"] = ["Technologies", "Solutions", "Holdings", "Logistics", "Digital"],
        ["vi"] = ["Technology", "Software", "Solutions", "Logistics", "Digital"],
        ["sg"] = ["Technologies", "Solutions", "Holdings", "Capital", "Digital", "Logistics"],
    };

    private static readonly (string Hanzi, string Pinyin)[] ChineseCities = [("上海", "shanghai"), ("北京", "beijing"), ("深圳", "shenzhen"), ("杭州", "hangzhou"), ("广州", "guangzhou"), ("成都", "chengdu"), ("苏州", "suzhou"), ("南京", "nanjing")];
    private static readonly (string Hanzi, string Pinyin)[] ChineseBrands = [("云图", "yuntu"), ("华信", "huaxin"), ("中科", "zhongke"), ("天宇", "tianyu"), ("金龙", "jinlong"), ("创新", "chuangxin"), ("智联", "zhilian"), ("数联", "shulian"), ("星辰", "xingchen"), ("远航", "yuanhang"), ("博远", "boyuan"), ("恒信", "hengxin")];
    private static readonly (string Hanzi, string Pinyin)[] ChineseIndustries = [("科技", "tech"), ("信息技术", "it"), ("软件", "soft"), ("物流", "logistics"), ("医疗科技", "medtech"), ("网络科技", "net")];

    /// <summary>A company: its display name and the brand its domain is made from.</summary>
    public static (string Name, string Brand) Company(DemoRandom rng, DemoCountry country, bool large)
    {
        var culture = NameCulture(country.Culture);
        if (culture == "zh" && rng.Chance(0.4))
        {
            var city = rng.Pick(ChineseCities);
            var brand = rng.Pick(ChineseBrands);
            var industry = rng.Pick(ChineseIndustries);
            return ($"{city.Hanzi}{brand.Hanzi}{industry.Hanzi}{(large ? "股份有限公司" : "有限公司")}", $"{brand.Pinyin}{industry.Pinyin}");
        }
        string core;
        var words = IndustryWords.GetValueOrDefault(culture) ?? IndustryWords["en"];
        var style = rng.Next(10);
        if (style < 4) core = rng.Pick(Roots) + rng.Pick(Endings);
        else if (style < 7) core = $"{rng.Pick(Roots)} {rng.Pick(words)}";
        else if (style < 9)
        {
            var surname = rng.Pick(LastNames[culture == "en-ca" ? "en" : LastNames.ContainsKey(culture) ? culture : "en"]);
            core = rng.Chance(0.3) && culture is "en" or "de" ? $"{surname} & {rng.Pick(LastNames[culture])}" : $"{surname} {rng.Pick(words)}";
        }
        else core = $"{rng.Pick(Roots)}{rng.Pick(Roots).ToLowerInvariant()}";
        var legal = rng.Pick(country.LegalForms);
        if (large && country.LegalForms.Length > 2 && rng.Chance(0.5)) legal = country.LegalForms[^1];
        var name = legal.Length == 0 ? core : country.LegalFormFirst ? (legal == "Tbk" ? $"PT {core} Tbk" : $"PT {core}") : $"{core} {legal}";
        if (country.Code == "ID" && !name.StartsWith("PT ", StringComparison.Ordinal)) name = "PT " + name;
        return (name, core);
    }

    /// <summary>A subsidiary of a group in another country: the group's brand, the country, the local legal form.</summary>
    public static string Subsidiary(DemoRandom rng, string groupBrand, DemoCountry country)
    {
        var legal = country.LegalForms[0];
        var core = $"{groupBrand} {country.Name}";
        return legal.Length == 0 ? core : country.LegalFormFirst ? $"PT {core}" : $"{core} {legal}";
    }

    public static string DomainLabel(string brand)
    {
        var parts = brand.Split([' ', '&', '-', '.', ','], StringSplitOptions.RemoveEmptyEntries).Select(Ascii).Where(p => p.Length > 0).ToList();
        var label = string.Join("-", parts);
        if (label.Length == 0) label = "company";
        return label.Length > 40 ? label[..40].TrimEnd('-') : label;
    }

    public static readonly IReadOnlyList<(string Title, string DealRole, double Weight)> Titles =
    [
        ("Chief Executive Officer", "decision_maker", 2), ("Chief Technology Officer", "decision_maker", 2), ("Chief Financial Officer", "decision_maker", 1.5),
        ("Chief Revenue Officer", "decision_maker", 1.5), ("VP Sales", "decision_maker", 3), ("VP Marketing", "decision_maker", 2),
        ("Head of Revenue Operations", "champion", 4), ("Director of Sales Operations", "champion", 3), ("Director of IT", "key_person", 3),
        ("Head of Customer Success", "champion", 2), ("Head of Finance", "key_person", 2), ("Procurement Manager", "key_person", 2),
        ("Sales Operations Manager", "influencer", 4), ("Marketing Operations Manager", "influencer", 3), ("IT Manager", "influencer", 3),
        ("Business Analyst", "user", 3), ("Data Analyst", "user", 3), ("Account Executive", "user", 2), ("Software Engineer", "user", 2),
        ("Operations Manager", "influencer", 2), ("Founder", "decision_maker", 1), ("Managing Director", "decision_maker", 1),
    ];

    public static readonly IReadOnlyList<string> FreeMail = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com"];
}
