// Tollgate purse (sms:bank protocol) in ASP.NET Core (C#, minimal API): the payment form and the Result URL handler.
//
//   dotnet new web -n Shop && cp purse.cs Shop/Program.cs && dotnet run --project Shop
//
//   GET  /pay?order=42&amount=2.50    the signed form that sends the payer to Tollgate
//   POST /result                      your purse's Result URL: Tollgate's signed callback, one per paid SMS
//
// Settings come from the environment, or edit the defaults. Keep the secret code out of version control.
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

string Setting(string name, string fallback) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

var purseNumber = Setting("TOLLGATE_PURSE", "YOUR_PURSE_NUMBER");
var secretCode = Setting("TOLLGATE_SECRET", "YOUR_SECRET_CODE");
var formUrl = Setting("TOLLGATE_FORM_URL", "https://tollgate.example/bank/");
// Where fulfilled operations are recorded; use your database (with a unique index on s_inv) in production.
var ordersFile = Setting("TOLLGATE_ORDERS_FILE", "orders.txt");
var ordersLock = new object();

static string Md5(params string[] parts) =>
    Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(string.Join("::", parts)))).ToLowerInvariant();

var app = WebApplication.CreateBuilder(args).Build();

app.MapGet("/pay", (int? order, decimal? amount) =>
{
    // In a shop these come from your order; the values are signed exactly as they are sent.
    var f = new List<KeyValuePair<string, string>>
    {
        new("s_purse", purseNumber),
        new("s_order_id", (order ?? 1).ToString(CultureInfo.InvariantCulture)),
        new("s_amount", (amount ?? 1m).ToString("0.00", CultureInfo.InvariantCulture)),
        new("s_clear_amount", "0"),
        new("s_description", $"Order {order ?? 1}"),
    };
    // s_sign: MD5 of s_purse::s_order_id::s_amount::s_clear_amount::s_description::secret_code.
    f.Add(new("s_sign", Md5(f[0].Value, f[1].Value, f[2].Value, f[3].Value, f[4].Value, secretCode)));
    var html = new StringBuilder($"<form method=\"post\" accept-charset=\"UTF-8\" action=\"{WebUtility.HtmlEncode(formUrl)}\">\n");
    foreach (var (name, value) in f)
        html.Append($"<input type=\"hidden\" name=\"{name}\" value=\"{WebUtility.HtmlEncode(value)}\">\n");
    html.Append("<button>Pay by SMS</button>\n</form>\n");
    return Results.Content(html.ToString(), "text/html; charset=utf-8");
});

app.MapPost("/result", async (HttpRequest request) =>
{
    var form = await request.ReadFormAsync();
    string F(string name) => form[name].FirstOrDefault() ?? "";
    // s_sign_v2: MD5 of secret_code::s_purse::s_order_id::s_amount::s_clear_amount::s_inv::s_phone.
    var expected = Md5(secretCode, F("s_purse"), F("s_order_id"), F("s_amount"), F("s_clear_amount"), F("s_inv"), F("s_phone"));
    // Anyone can post to this URL: only a valid signature proves the callback is Tollgate's.
    if (F("s_purse") != purseNumber ||
        !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(F("s_sign_v2").ToLowerInvariant())))
        return Results.Text("bad signature\n", statusCode: 403);
    // One fulfilment per s_inv: Tollgate retries until it gets a 2xx, so the same callback can arrive again.
    lock (ordersLock)
    {
        var seen = File.Exists(ordersFile) && File.ReadLines(ordersFile).Any(line => line.Split('\t')[0] == F("s_inv"));
        // Fulfil the order here: credit s_amount USD to order s_order_id.
        if (!seen) File.AppendAllText(ordersFile, $"{F("s_inv")}\t{F("s_order_id")}\t{F("s_amount")}\n");
    }
    // Any 2xx answer tells Tollgate the callback arrived; anything else is retried later.
    return Results.Text("OK\n");
});

app.Run();
