"""The statistics pages' words in Finnish, Swedish and English: (fi, sv, en) per key.

Kept apart from `texts.py` because they are many and change with the charts; `texts.py`
merges them into its TEXTS, so `t(key)` finds them like any other. This module imports
nothing from `texts` (that would be an import circle). Keys that stats.js reads start with
`stats_js_`; a sentence's numbers and names are {placeholders}, the same in all three; a
counted word is `{n:#one|other}` ("1 päivä", "2 päivää": firmware/core/plural.py).
"""

from __future__ import annotations

STATS_TEXTS: dict[str, tuple[str, str, str]] = {
    # -- the page ---------------------------------------------------------------------------
    "stats_title": ("Tilastot", "Statistik", "Statistics"),
    "stats_help_source": ("Ohjaimen tapahtumalokista, samat luvut kuin komennolla",
                          "Ur styrenhetens händelselogg, samma siffror som kommandot",
                          "From the controller's ledger, the same figures as"),
    "stats_help_arrivals": (
        "asiakkaat, jotka ottivat numeron virastoon tai siirrettiin sen jonoon (siirretty "
        "asiakas lasketaan jokaiselle virastolle, jossa hän asioi).",
        "kunderna som tog ett nummer till en myndighet eller flyttades till den (en flyttad "
        "kund räknas för varje myndighet hen besökte).",
        "the customers who took a number for an authority or were transferred to it (a "
        "transferred customer counts for each authority it visited)."),
    "stats_help_wait": ("numeron ottamisesta viimeiseen kutsuun.",
                        "från att numret togs till den sista kallelsen.",
                        "from taking the number to the last call."),
    "stats_help_service": ("kutsusta käynnin päättymiseen.",
                           "från kallelsen till att besöket slutar.",
                           "from that call to the end of the visit."),
    "stats_help_tables": (
        "Mediaanit ja 90. persentiilit ovat minuutteja. Jokaisen kaavion luvut ovat "
        "taulukossa sen alla; ”–” tarkoittaa, ettei ollut mitään mitattavaa.",
        "Medianer och 90:e percentiler anges i minuter. Varje diagram har sina siffror i en "
        "tabell under sig; ”–” betyder att det inte fanns något att mäta.",
        "Medians and 90th percentiles are in minutes. Each chart has its numbers in a table "
        "below it; “–” means there was nothing to measure."),
    "stats_day_part": ("Päivä", "Dag", "A day"),
    "stats_day_heading": ("Päivä: {label} ({day})", "Dag: {label} ({day})",
                          "A day: {label} ({day})"),
    "stats_day": ("Päivä", "Dag", "Day"),
    "stats_show_day": ("Näytä päivä", "Visa dagen", "Show the day"),
    "stats_download": ("Lataa {period} CSV-tiedostona", "Ladda ner {period} som CSV-fil",
                       "Download {period} as CSV"),
    "stats_csv_day_hint": ("(samat taulukot kuin komennolla", "(samma tabeller som kommandot",
                           "(the tables of"),
    "stats_no_rooms": (
        "Tälle päivälle ei ole huoneiden käyttöastetta eikä kävelyaikoja: huoneyksiköiden "
        "läsnäoloanturit eivät raportoineet mitään.",
        "Ingen rumsanvändning eller gångtider för den här dagen: rumsenheternas "
        "närvarosensorer rapporterade ingenting.",
        "No room utilisation or walking times for this day: the room units' occupancy "
        "sensors reported nothing."),
    "stats_month_part": ("Kuukausi", "Månad", "A month"),
    "stats_month_heading": ("Kuukausi: {month}", "Månad: {month}", "A month: {month}"),
    "stats_month": ("Kuukausi", "Månad", "Month"),
    "stats_month_hint": ("(vuosi-kuukausi, esim. 2026-12)", "(år-månad, till exempel 2026-12)",
                         "(year-month, such as 2026-12)"),
    "stats_show_month": ("Näytä kuukausi", "Visa månaden", "Show the month"),
    "stats_csv_month_hint": ("(jokaisen päivän rivit sekä kuukausi ja viikot virastoittain)",
                             "(varje dags rader, månaden och veckorna per myndighet)",
                             "(every day's rows, the month and the weeks per authority)"),
    "stats_month_per_authority": ("Kuukausi virastoittain", "Månaden per myndighet",
                                  "The month per authority"),
    "stats_month_caption": ("{month} virastoittain: tietoja {days} päivältä",
                            "{month} per myndighet: {days:#dag|dagar} med data",
                            "{month} per authority: {days:#day|days} with data"),
    "stats_weeks_hint": (
        "Viikot ovat kokonaisia ISO-viikkoja maanantaista sunnuntaihin, myös silloin kun ne "
        "ulottuvat edelliseen tai seuraavaan kuukauteen.",
        "Veckorna är hela ISO-veckor, måndag till söndag, också där de sträcker sig in i "
        "föregående eller följande månad.",
        "Weeks are whole ISO weeks, Monday to Sunday, also where they reach into the month "
        "before or after."),
    "stats_in_table": ("Luvut ovat kaavion alla olevassa taulukossa.",
                       "Siffrorna finns i tabellen under diagrammet.",
                       "The numbers are in the table below the chart."),
    # -- names, dates and units -------------------------------------------------------------
    "stats_all": ("Kaikki virastot", "Alla myndigheter", "All authorities"),
    "stats_room_n": ("Huone {room}", "Rum {room}", "Room {room}"),
    "stats_weekdays": ("ma ti ke to pe la su", "mån tis ons tors fre lör sön",
                       "Mon Tue Wed Thu Fri Sat Sun"),
    "stats_months": ("tammi helmi maalis huhti touko kesä heinä elo syys loka marras joulu",
                     "jan feb mar apr maj jun jul aug sep okt nov dec",
                     "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
    "stats_date": ("{day}. {month}", "{day} {month}", "{day} {month}"),
    # Finnish and Finland-Swedish write a time of day with a full stop (klo 10.00).
    "stats_hour": ("{hour}.00", "{hour}.00", "{hour}:00"),
    "stats_week_label": ("Viikko {week} ({first}–{last})", "Vecka {week} ({first}–{last})",
                         "Week {week} ({first}–{last})"),
    "stats_customers": ("asiakkaita", "kunder", "customers"),
    "stats_minutes": ("minuuttia", "minuter", "minutes"),
    "stats_seconds": ("sekuntia", "sekunder", "seconds"),
    "stats_no_value": ("ei arvoa", "inget värde", "no value"),
    "stats_authority": ("Virasto", "Myndighet", "Authority"),
    "stats_room": ("Huone", "Rum", "Room"),
    "stats_week": ("Viikko", "Vecka", "Week"),
    # -- series and table columns -----------------------------------------------------------
    "stats_median": ("Mediaani", "Median", "Median"),
    "stats_p90": ("90. persentiili", "90:e percentil", "90th percentile"),
    "stats_arrivals": ("Saapuneet", "Ankomster", "Arrivals"),
    "stats_all_arrivals": ("Kaikki saapuneet", "Alla ankomster", "All arrivals"),
    "stats_served": ("Palvellut", "Betjänade", "Served"),
    "stats_customers_col": ("Asiakkaat", "Kunder", "Customers"),
    "stats_no_show": ("Ei saapunut", "Uteblev", "No-show"),
    "stats_transferred": ("Siirretyt", "Flyttade", "Transferred"),
    "stats_cancelled": ("Perutut", "Avbrutna", "Cancelled"),
    "stats_expired": ("Vanhentuneet", "Förfallna", "Expired"),
    "stats_wait_median": ("Odotusajan mediaani (min)", "Väntetid, median (min)",
                          "Median wait (min)"),
    "stats_wait_p90": ("Odotusajan 90. persentiili (min)", "Väntetid, 90:e percentil (min)",
                       "90th pct wait (min)"),
    "stats_service_median": ("Palveluajan mediaani (min)", "Betjäningstid, median (min)",
                             "Median service (min)"),
    "stats_service_p90": ("Palveluajan 90. persentiili (min)",
                          "Betjäningstid, 90:e percentil (min)", "90th pct service (min)"),
    "stats_days_with_data": ("Päiviä, joilta on tietoja", "Dagar med data", "Days with data"),
    "stats_in_session": ("Asiakas palvelussa", "Kund betjänas", "In session"),
    "stats_staff_only": ("Vain virkailija", "Bara personal", "Staff only"),
    "stats_customer_only": ("Vain asiakas", "Bara kund", "Customer only"),
    "stats_vacant": ("Tyhjä", "Tomt", "Vacant"),
    "stats_unknown_share": ("Anturitieto puuttuu (% aukioloajasta)",
                            "Sensorläge okänt (% av öppettiden)",
                            "Sensors unknown (% of open time)"),
    "stats_sessions": ("Palvelukerrat", "Betjäningstillfällen", "Sessions"),
    "stats_open_min": ("Aukiolominuutit", "Öppettid (min)", "Open minutes"),
    "stats_calls": ("Kutsut", "Kallelser", "Calls"),
    "stats_arrived": ("Saapuivat", "Kom fram", "Arrived"),
    "stats_not_arrived": ("Eivät saapuneet", "Kom inte fram", "Not arrived"),
    "stats_unmeasured": ("Ei mitattu", "Inte mätta", "Unmeasured"),
    # -- a day's charts ---------------------------------------------------------------------
    "stats_hourly_title": ("Saapuneet virastoittain ja tunneittain",
                           "Ankomster per myndighet och timme",
                           "Arrivals per authority and hour"),
    "stats_hourly_axis": ("Käynnin alkamistunti", "Timme då besöket började",
                          "Hour the visit began"),
    "stats_hourly_summary": (
        "Saapuneita yhteensä {total}; vilkkain tunti alkoi klo {hour} "
        "({busiest:#saapunut|saapunutta}).",
        "{total:#ankomst|ankomster}; den livligaste timmen började kl. {hour} med {busiest}.",
        "{total:#arrival|arrivals}; the busiest hour began at {hour} with {busiest}."),
    "stats_hourly_none": ("Kukaan ei ottanut numeroa tänä päivänä.",
                          "Ingen tog ett nummer den här dagen.",
                          "Nobody took a number on this day."),
    "stats_wait": ("Odotusaika", "Väntetid", "Waiting time"),
    "stats_service_time": ("Palveluaika", "Betjäningstid", "Service time"),
    "stats_waits_title": ("Odotusaika virastoittain, mediaani ja 90. persentiili",
                          "Väntetid per myndighet, median och 90:e percentil",
                          "Waiting time per authority, median and 90th percentile"),
    "stats_service_title": ("Palveluaika virastoittain, mediaani ja 90. persentiili",
                            "Betjäningstid per myndighet, median och 90:e percentil",
                            "Service time per authority, median and 90th percentile"),
    "stats_times_summary": ("{what}, kaikki virastot: mediaani {median}, 90 % enintään {p90}.",
                            "{what}, alla myndigheter: median {median}, 90 % inom {p90}.",
                            "{what}, all authorities: median {median}, 90 % within {p90}."),
    "stats_waits_none": ("Tänä päivänä ei ole odotusaikoja.", "Inga väntetider den här dagen.",
                         "No waiting times on this day."),
    "stats_service_none": ("Tänä päivänä ei ole palveluaikoja.",
                           "Inga betjäningstider den här dagen.",
                           "No service times on this day."),
    "stats_utilisation_title": (
        "Huoneiden käyttöaste: osuus aukioloajasta, jolloin anturit toimivat",
        "Rummens användning: andel av öppettiden då sensorerna fungerade",
        "Room utilisation: share of the open time the sensors worked"),
    "stats_utilisation_summary": (
        "Käytetyin huone oli {room}: asiakas palvelussa {share} % siitä ajasta, jolloin sen "
        "anturit toimivat.",
        "Det mest använda rummet var {room}, med kund i {share} % av tiden då dess sensorer "
        "fungerade.",
        "The busiest room was {room}, in session {share} % of the time its sensors worked."),
    "stats_utilisation_none": ("Minkään huoneen anturit eivät toimineet aukioloaikana.",
                               "Inget rums sensorer fungerade under öppettiden.",
                               "No room's sensors worked during opening hours."),
    "stats_walking_title": ("Kävelyaika kutsusta huoneeseen, virastoittain",
                            "Gångtid från kallelsen till rummet, per myndighet",
                            "Walking time from the call to the room, per authority"),
    "stats_walking_summary": (
        "{calls} kutsusta {arrived} asiakkaan nähtiin saapuvan huoneeseen; kävelyajan mediaani "
        "{median} s (90 % enintään {p90} s).",
        "Av {calls:#kallelse|kallelser} sågs {arrived:#kund|kunder} komma fram, efter i median "
        "{median} s "
        "(90 % inom {p90} s).",
        "Of {calls:#call|calls}, {arrived:#customer was|customers were} seen to arrive, after a "
        "median {median} s "
        "(90 % within {p90} s)."),
    "stats_walking_none": ("Tänä päivänä kävelyaikoja ei voitu mitata.",
                           "Inga gångtider kunde mätas den här dagen.",
                           "No walking times could be measured on this day."),
    "stats_compared_title": ("Päivä verrattuna aiempiin", "Dagen jämförd med tidigare dagar",
                             "This day compared"),
    "stats_compared_part": ("{day} ({what}): {arrivals:#saapunut|saapunutta}",
                            "{day} ({what}): {arrivals:#ankomst|ankomster}",
                            "{arrivals:#arrival|arrivals} on {day} ({what})"),
    "stats_this_day": ("tämä päivä", "den här dagen", "this day"),
    "stats_previous_day": ("edellinen päivä", "föregående dag", "previous day"),
    "stats_week_before": ("viikkoa aiemmin", "en vecka tidigare", "a week before"),
    "stats_previous_day_week_before": ("edellinen päivä, viikkoa aiemmin",
                                       "föregående dag, en vecka tidigare",
                                       "previous day, a week before"),
    # -- a month's charts -------------------------------------------------------------------
    "stats_daily_title": ("Saapuneet virastoittain ja päivittäin",
                          "Ankomster per myndighet och dag", "Arrivals per authority and day"),
    "stats_daily_summary": (
        "{days} päivänä saapui yhteensä {total:#asiakas|asiakasta}; vilkkain päivä oli {day} "
        "({busiest:#saapunut|saapunutta}).",
        "{total:#ankomst|ankomster} under {days:#dag|dagar}; den livligaste var {day} med "
        "{busiest}.",
        "{total:#arrival|arrivals} on {days:#day|days}; the busiest was {day} with {busiest}."),
    "stats_daily_waits_title": ("Odotusajan mediaani virastoittain ja päivittäin",
                                "Väntetidens median per myndighet och dag",
                                "Median wait per authority and day"),
    "stats_daily_waits_summary": (
        "Kaikkien virastojen odotusajan mediaani oli {low} min ({low_day}) – {high} min "
        "({high_day}).",
        "Medianväntetiden för alla myndigheter var mellan {low} min ({low_day}) och {high} min "
        "({high_day}).",
        "The median wait of all authorities was between {low} min ({low_day}) and {high} min "
        "({high_day})."),
    "stats_daily_waits_none": ("Tässä kuussa ketään ei kutsuttu.",
                               "Ingen kallades den här månaden.",
                               "Nobody was called this month."),
    "stats_weeks_title": ("Viikot rinnakkain: saapuneet virastoittain (kokonaiset viikot)",
                          "Veckorna jämförda: ankomster per myndighet (hela veckor)",
                          "Weeks compared: arrivals per authority (whole weeks)"),
    "stats_weeks_summary": ("Saapuneet viikoittain ({weeks}).", "Ankomster per vecka ({weeks}).",
                            "Arrivals per week, {weeks}."),
    "stats_weeks_part": ("viikko {week}: {arrivals}", "vecka {week}: {arrivals}",
                         "week {week}: {arrivals}"),
    # -- what is wrong with the day or month asked for --------------------------------------
    "stats_bad_day": ("'{text}' ei ole päivämäärä muotoa 2026-12-01.",
                      "'{text}' är inget datum i formen 2026-12-01.",
                      "'{text}' is not a day such as 2026-12-01."),
    "stats_no_such_day": ("Päivää {text} ei ole kalenterissa.", "{text} finns inte i kalendern.",
                          "{text} is not a day of the calendar."),
    "stats_day_range": ("{text}: tapahtumalokissa on vain vuosien {first}–{last} päiviä.",
                        "{text}: händelseloggen har bara dagar från åren {first}–{last}.",
                        "{text}: the ledger holds days of {first}–{last} only."),
    "stats_bad_month": ("'{text}' ei ole kuukausi muotoa 2026-12.",
                        "'{text}' är ingen månad i formen 2026-12.",
                        "'{text}' is not a month such as 2026-12."),
    "stats_month_range": ("{text}: tapahtumalokissa on vain vuosien {first}–{last} kuukausia.",
                          "{text}: händelseloggen har bara månader från åren {first}–{last}.",
                          "{text}: the ledger holds months of {first}–{last} only."),
    "stats_no_ledger": (
        "Tässä laitteessa ei ole tapahtumalokia ({path}). Tilastot luetaan ohjaimen "
        "tapahtumalokista: avaa sen laitteen konsoli, jolla on ohjaimen rooli.",
        "Den här enheten har ingen händelselogg ({path}). Statistiken läses ur styrenhetens "
        "händelselogg: öppna konsolen på den enhet som har styrenhetens roll.",
        "This device has no ledger ({path}). The statistics are read from the controller's "
        "ledger: open the console of the device that runs the controller role."),
    "stats_ledger_unopened": ("Tapahtumalokia {path} ei voi avata ({error}).",
                              "Händelseloggen {path} kan inte öppnas ({error}).",
                              "The ledger {path} cannot be opened ({error})."),
    "stats_ledger_unread": ("Tapahtumalokia {path} ei voi lukea ({error}).",
                            "Händelseloggen {path} kan inte läsas ({error}).",
                            "The ledger {path} cannot be read ({error})."),
    "stats_ledger_empty": (
        "Tapahtumalokissa ei ole vielä yhtään päivää: kukaan ei ole ottanut numeroa.",
        "Händelseloggen har inga dagar ännu: ingen har tagit ett nummer.",
        "The ledger has no days yet: nobody has taken a number."),
    "stats_nothing_on_day": (
        "Tapahtumalokissa ei ole mitään päivältä {day}. Viimeisin päivä, jolta on tietoja, "
        "on {latest}.",
        "Händelseloggen har inget för {day}. Den senaste dagen med data är {latest}.",
        "The ledger has nothing for {day}. The latest day with data is {latest}."),
    "stats_nothing_in_month": (
        "Tapahtumalokissa ei ole asiakkaita kuukaudelta {month}. Viimeisin päivä, jolta on "
        "tietoja, on {latest}.",
        "Händelseloggen har inga kunder för {month}. Den senaste dagen med data är {latest}.",
        "The ledger has no customers in {month}. The latest day with data is {latest}."),
    # -- a day's languages, legs and rooms' time (issue 24) ---------------------------------
    "stats_languages_title": ("Asiakkaat asiointikielen mukaan", "Kunder per språk",
                              "Customers per language"),
    "stats_languages_part": ("{lang} {customers}", "{lang} {customers}", "{lang} {customers}"),
    "stats_languages_summary": (
        "Asiakkaita kielittäin: {parts}. Huoneen kielitoive ratkaisi {decided:#kutsun|kutsua}.",
        "Kunder per språk: {parts}. Rummets språkval avgjorde {decided:#kallelse|kallelser}.",
        "Customers per language: {parts}. The language preference of the rooms decided "
        "{decided:#call|calls}."),
    "stats_legs_title": ("Odotus virastoittain, jokainen käynti virastossa erikseen",
                         "Väntan per myndighet, varje besök hos en myndighet för sig",
                         "Waits per authority, each leg of a visit counted"),
    "stats_legs_summary": (
        "{tickets:#numero|numeroa} otettiin; {several:#asiakas|asiakasta} asioi useammassa "
        "kuin yhdessä virastossa samalla numerolla.",
        "{tickets:#nummer|nummer} togs; {several:#kund|kunder} besökte fler än en myndighet "
        "med samma nummer.",
        "{tickets:#number was|numbers were} taken; {several:#customer|customers} visited more "
        "than one authority on the same number."),
    "stats_legs": ("Käynnit virastossa", "Besök hos myndigheten", "Legs"),
    "stats_rooms_count": ("Huoneita", "Rum", "Rooms"),
    "stats_room_time_title": ("Huoneiden palvelu- ja taukoaika", "Rummens betjänings- och paustid",
                              "Rooms' serving and paused time"),
    "stats_room_time_summary": (
        "Huoneet olivat tauolla yhteensä {paused} min. Suljettu aika ei ole kummassakaan.",
        "Rummen hade paus i sammanlagt {paused} min. Stängd tid räknas till ingetdera.",
        "The rooms were paused {paused} min in all. Closed time counts as neither."),
    "stats_authority_time_title": ("Palvelu- ja taukoaika virastoittain",
                                   "Betjänings- och paustid per myndighet",
                                   "Serving and paused time per authority"),
    "stats_authority_time_summary": (
        "Viraston aika on sitä palvelevien huoneiden aika; kahta virastoa palveleva huone "
        "lasketaan kummallekin.",
        "En myndighets tid är tiden för rummen som betjänar den; ett rum för två myndigheter "
        "räknas för båda.",
        "The time of an authority is that of the rooms serving it; a room serving two "
        "authorities counts for both."),
    "stats_month_languages": ("{month} kielittäin", "{month} per språk",
                              "{month} per language"),
    "stats_month_legs": ("{month} virastoittain, jokainen käynti virastossa erikseen",
                         "{month} per myndighet, varje besök hos en myndighet för sig",
                         "{month} per authority, each leg of a visit counted"),
    "stats_month_room_time": ("{month}: huoneiden palvelu- ja taukoaika (min)",
                              "{month}: rummens betjänings- och paustid (min)",
                              "{month}: the rooms' serving and paused time (min)"),
    # -- the safety alarms (issue 26) --------------------------------------------------------
    "stats_alarms_title": ("Turvallisuushälytykset", "Säkerhetslarm", "Safety alarms"),
    "stats_alarms_help": (
        "Hiljaiset hälytykset kuukausittain turvallisuustyötä varten: montako hälytystä "
        "tehtiin, montako eskaloitui (kukaan ei kuitannut ajoissa), montako kuitattiin ja "
        "kuinka pian hälytyksestä (sekunteina), ja montako lopetettiin kuittaamatta. "
        "Harjoitukset lasketaan omille riveilleen. Kuukausi on hälytyksen kuukausi; "
        "nimiä ei ole.",
        "Tysta larm per månad för säkerhetsarbetet: hur många larm som gjordes, hur många "
        "som eskalerades (ingen kvitterade i tid), hur många som kvitterades och hur snart "
        "efter larmet (i sekunder), och hur många som avslutades utan kvittering. Övningar "
        "räknas på egna rader. Månaden är larmets månad; inga namn finns med.",
        "Silent alarms per month for the safety team: how many were raised, how many "
        "escalated (nobody acknowledged in time), how many were acknowledged and how soon "
        "after the alarm (in seconds), and how many were cleared without acknowledgement. "
        "Drills are counted in rows of their own. The month is the alarm's; no names."),
    "stats_alarms_caption": ("Hiljaiset hälytykset {first}–{last}",
                             "Tysta larm {first}–{last}", "Silent alarms {first}–{last}"),
    "stats_alarms_summary": (
        "{first}–{last}: {alarms:#hälytys|hälytystä} ja {drills:#harjoitus|harjoitusta}.",
        "{first}–{last}: {alarms:#larm|larm} och {drills:#övning|övningar}.",
        "{first}–{last}: {alarms:#alarm|alarms} and {drills:#drill|drills}."),
    "stats_alarms_none": (
        "Ei hiljaisia hälytyksiä eikä harjoituksia {first}–{last}.",
        "Inga tysta larm och inga övningar {first}–{last}.",
        "No silent alarms and no drills {first}–{last}."),
    "stats_alarms_kind": ("Laji", "Slag", "Kind"),
    "stats_alarms_kind_alarm": ("Hälytykset", "Larm", "Alarms"),
    "stats_alarms_kind_drill": ("Harjoitukset", "Övningar", "Drills"),
    "stats_alarms_count": ("Määrä", "Antal", "Number"),
    "stats_alarms_escalated": ("Eskaloitui", "Eskalerade", "Escalated"),
    "stats_alarms_acknowledged": ("Kuitattiin", "Kvitterades", "Acknowledged"),
    "stats_alarms_ack_median": ("Kuittaus, mediaani (s)", "Kvittering, median (s)",
                                "Acknowledged after, median (s)"),
    "stats_alarms_ack_p90": ("Kuittaus, 90. persentiili (s)", "Kvittering, 90:e percentil (s)",
                             "Acknowledged after, 90th percentile (s)"),
    "stats_alarms_ack_longest": ("Pisin aika kuittaukseen (s)", "Längsta tid till kvittering (s)",
                                 "Longest time to acknowledge (s)"),
    "stats_alarms_cleared_unacknowledged": ("Lopetettiin kuittaamatta",
                                            "Avslutades utan kvittering",
                                            "Cleared without acknowledgement"),
    # -- the day report (/report) -----------------------------------------------------------
    "stats_report_title": ("Päiväraportti", "Dagsrapport", "Day report"),
    "stats_report_heading": ("Päiväraportti: {label} ({day})", "Dagsrapport: {label} ({day})",
                             "Day report: {label} ({day})"),
    "stats_report_intro": (
        "Päivän asiakkaat virastoittain, odotusajat, saapumatta jääneet, suljettaessa avoinna "
        "olleet, kielet ja huoneiden tauot. Monen viraston käynti lasketaan jokaiselle "
        "virastolle erikseen; odotus mitataan numeron ottamisesta tai edellisen viraston "
        "jälkeen jatkamisesta ensimmäiseen kutsuun. Ajat ovat minuutteja; ”–” tarkoittaa, "
        "ettei ollut mitään mitattavaa. Raportissa ei ole numeroita eikä nimiä.",
        "Dagens kunder per myndighet, väntetider, uteblivna, öppna vid stängningen, språk och "
        "rummens pauser. Ett besök hos flera myndigheter räknas för varje myndighet för sig; "
        "väntan mäts från att numret togs eller från fortsättningen efter förra myndigheten "
        "till den första kallelsen. Tiderna är minuter; ”–” betyder att det inte fanns något "
        "att mäta. Rapporten har inga nummer och inga namn.",
        "The day's customers per authority, waits, no-shows, tickets open at closing, "
        "languages and the rooms' breaks. A visit to several authorities counts for each of "
        "them; a wait runs from taking the number, or from continuing after the previous "
        "authority, to the first call. Times are in minutes; “–” means there was nothing to "
        "measure. The report holds no numbers and no names."),
    "stats_report_closed": (
        "Päivä on suljettu klo {time}: tämä on palvelutiimille lähetetty raportti.",
        "Dagen stängdes kl. {time}: det här är rapporten som skickades till serviceteamet.",
        "The day was closed at {time}: this is the report sent to the service team."),
    "stats_report_so_far": (
        "Tähän mennessä (klo {time}): päivää ei ole vielä suljettu. Avoimet numerot näkyvät "
        "sarakkeessa ”Avoinna suljettaessa”.",
        "Hittills (kl. {time}): dagen har inte stängts ännu. Öppna nummer syns i kolumnen "
        "”Öppna vid stängningen”.",
        "So far (at {time}): the day is not closed yet. Open tickets show under “Open at "
        "close”."),
    "stats_report_unclosed": (
        "Tätä päivää ei suljettu raportin kanssa; raportti on laskettu tapahtumalokista "
        "päivän päättymishetkeen klo {time}.",
        "Den här dagen stängdes inte med en rapport; rapporten är räknad ur händelseloggen "
        "fram till dagens slut kl. {time}.",
        "This day was not closed with a report; it is built from the ledger up to the day's "
        "end at {time}."),
    # Finnish and Finland-Swedish write a time of day with a full stop (klo 16.45).
    "stats_report_clock": ("{hour}.{minute}", "{hour}.{minute}", "{hour}:{minute}"),
    "stats_report_show": ("Näytä raportti", "Visa rapporten", "Show the report"),
    "stats_report_stats_link": ("Tilastot kaavioina", "Statistiken som diagram",
                                "Statistics as charts"),
    "stats_report_download": ("Lataa raportti CSV-tiedostona ({day})",
                              "Ladda ner rapporten som CSV-fil ({day})",
                              "Download the report as CSV ({day})"),
    "stats_report_authorities": ("Asiakkaat virastoittain", "Kunder per myndighet",
                                 "Customers per authority"),
    "stats_report_legs_col": ("Asiakkaat (käynnit virastossa)", "Kunder (besök hos myndigheten)",
                              "Customers (visits to the authority)"),
    "stats_report_cancelled": ("Peruttu päivän aikana", "Avbrutna under dagen",
                               "Cancelled during the day"),
    "stats_report_open_at_close": ("Avoinna suljettaessa", "Öppna vid stängningen",
                                   "Open at close"),
    "stats_report_continued_in": ("Jatkoi toisesta virastosta", "Fortsatte från en annan "
                                  "myndighet", "Continued from another authority"),
    "stats_report_visits": ("Käynnit", "Besök", "Visits"),
    "stats_report_tickets": ("Otetut numerot", "Tagna nummer", "Numbers taken"),
    "stats_report_several": ("Useassa virastossa asioineet", "Besök hos flera myndigheter",
                             "Visits to several authorities"),
    "stats_report_languages": ("Kielet", "Språk", "Languages"),
    "stats_report_language": ("Kieli", "Språk", "Language"),
    "stats_report_decided": ("Kutsuja, joissa kieli ratkaisi", "Kallelser som språket avgjorde",
                             "Calls the language decided"),
    "stats_report_lang_fi": ("suomi", "finska", "Finnish"),
    "stats_report_lang_sv": ("ruotsi", "svenska", "Swedish"),
    "stats_report_lang_en": ("englanti", "engelska", "English"),
    "stats_report_rooms": ("Huoneiden palvelu- ja taukoaika (min)",
                           "Rummens betjänings- och paustid (min)",
                           "Rooms' serving and paused time (min)"),
    "stats_report_serving": ("Palveli", "Betjänade", "Serving"),
    "stats_report_paused": ("Tauolla yhteensä", "Paus totalt", "Paused in all"),
    "stats_report_reason_break": ("Tauko", "Paus", "Break"),
    "stats_report_reason_lunch": ("Lounas", "Lunch", "Lunch"),
    "stats_report_reason_back_office": ("Taustatyö", "Bakgrundsarbete", "Back office"),
    "stats_report_reason_meeting": ("Kokous", "Möte", "Meeting"),
    "stats_report_reason_unspecified": ("Muu tauko", "Annan paus", "Other pause"),
    "stats_report_other": ("Avun tarve ja muuta", "Hjälpbehov och annat",
                           "Assistance and more"),
    "stats_report_what": ("Mitä", "Vad", "What"),
    "stats_report_count": ("Määrä", "Antal", "Count"),
    "stats_report_assisted": ("Avustettavaksi merkityt numerot",
                              "Nummer markerade för assistans",
                              "Tickets marked as needing assistance"),
    "stats_report_assisted_wait": ("Avustettavien odotusajan mediaani (min)",
                                   "Väntetid för assistans, median (min)",
                                   "Median wait with assistance (min)"),
    "stats_report_help": ("Avunpyynnöt automaateilta", "Hjälpbegäranden från automaterna",
                          "Help requests from the kiosks"),
    "stats_report_reprints": ("Uudelleen tulostetut numerot", "Omskrivna nummerlappar",
                              "Tickets reprinted"),
    "stats_report_future": ("{day} ei ole vielä alkanut (tänään on {today}).",
                            "{day} har inte börjat ännu (i dag är det {today}).",
                            "{day} has not begun yet (today is {today})."),
    "stats_report_nothing": (
        "Tapahtumalokissa ei ole mitään päivältä {day}. Viimeisin päivä, jolta on tietoja, "
        "on {latest}.",
        "Händelseloggen har inget för {day}. Den senaste dagen med data är {latest}.",
        "The ledger has nothing for {day}. The latest day with data is {latest}."),
    # -- stats.js ---------------------------------------------------------------------------
    "stats_js_unreachable": ("Kaavioita ei saatu haettua (onko verkkoyhteys kunnossa?).",
                             "Diagrammen kunde inte hämtas (fungerar nätverket?).",
                             "The charts could not be fetched (is the network there?)."),
    "stats_js_logged_out": (
        "Olet ilmeisesti kirjautunut ulos: lataa sivu uudelleen ja kirjaudu sisään.",
        "Du verkar vara utloggad: ladda om sidan för att logga in igen.",
        "You seem to be logged out: reload the page to log in again."),
    "stats_js_not_drawn": ("Kaavioita ei voitu piirtää.", "Diagrammen kunde inte ritas.",
                           "The charts could not be drawn."),
    "stats_js_no_library": ("Kaavioita ei voitu ladata; taulukoissa ovat samat luvut.",
                            "Diagrammen kunde inte laddas; tabellerna har samma siffror.",
                            "The charts could not be loaded; the tables have the same numbers."),
    "stats_js_drawing": ("Piirretään kaavioita…", "Diagrammen ritas…", "Drawing the charts…"),
    "stats_js_failed": ("{message} Taulukoissa ovat samat luvut.",
                        "{message} Tabellerna har samma siffror.",
                        "{message} The tables have the same numbers."),
}
