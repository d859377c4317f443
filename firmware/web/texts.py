"""The console's words in Finnish, Swedish and English.

Staff choose their language on the login page or in the header (a cookie keeps it); a new
browser gets the first of fi/sv/en it asks for, else Finnish. Pages read `t(key)`; the
scripts get the keys they need as one JSON block. A missing key shows itself as the key,
and a test checks that every key has all three languages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from firmware.core.plural import FORMATTER
from firmware.web.alarm_texts import ALARM_TEXTS
from firmware.web.staff_commands import (
    ADD_SERVICE,
    ASSIST,
    HELP_ANSWER,
    REPRINT,
    ROOM_LANGUAGES,
    ROOM_STATE,
)
from firmware.web.stats_texts import STATS_TEXTS
from mqtt_bridge import messages, topics
from mqtt_bridge.messages import MessageError

LANGS = ("fi", "sv", "en")
LANG_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
DEFAULT_LANG = "fi"

TEXTS: dict[str, tuple[str, str, str]] = {
    # -- every page -------------------------------------------------------------------------
    "skip": ("Siirry sisältöön", "Hoppa till innehållet", "Skip to content"),
    "console": ("henkilöstön konsoli", "personalens konsol", "staff console"),
    "nav_pages": ("Konsolin sivut", "Konsolens sidor", "Console pages"),
    "nav_clerk": ("Huone", "Rum", "Room"),
    "nav_advisor": ("Aula", "Lobby", "Lobby"),
    "nav_stats": ("Tilastot", "Statistik", "Statistics"),
    "nav_report": ("Päiväraportti", "Dagsrapport", "Day report"),
    "nav_health": ("Laitteet", "Enheter", "Devices"),
    "connecting": ("Yhdistetään…", "Ansluter…", "Connecting…"),
    "live": ("Ajantasalla", "Aktuell", "Live"),
    "reconnecting": ("Yhdistetään uudelleen…", "Ansluter igen…", "Reconnecting…"),
    "link_down": ("Yhteys ohjaimeen poikki", "Ingen förbindelse till styrenheten",
                  "Controller link down"),
    "log_out": ("Kirjaudu ulos", "Logga ut", "Log out"),
    "language": ("Kieli", "Språk", "Language"),
    "role_clerk": ("virkailija, huone {room}", "handläggare, rum {room}", "clerk, room {room}"),
    "role_advisor": ("palveluneuvoja", "servicerådgivare", "advisor"),
    "role_service": ("palvelutiimi", "serviceteamet", "service team"),
    "role_technician": ("teknikko", "tekniker", "technician"),
    # -- login ------------------------------------------------------------------------------
    "login_title": ("Kirjaudu sisään", "Logga in", "Log in"),
    "login_heading": ("Kirjaudu henkilöstön konsoliin", "Logga in på personalens konsol",
                      "Log in to the staff console"),
    "name": ("Nimi", "Namn", "Name"),
    "password": ("Salasana", "Lösenord", "Password"),
    "wrong_login": ("Väärä nimi tai salasana.", "Fel namn eller lösenord.",
                    "Wrong name or password."),
    "login_expired": ("Lomake vanheni. Kirjaudu uudelleen.",
                      "Formuläret gick ut. Logga in igen.",
                      "The form had expired; please log in again."),
    "login_wait": ("Liian monta väärää salasanaa tälle nimelle. Yritä uudelleen {s} s kuluttua.",
                   "För många fel lösenord för det här namnet. Försök igen om {s} s.",
                   "Too many wrong passwords for this name. Try again in {s} s."),
    # -- forbidden --------------------------------------------------------------------------
    "forbidden_title": ("Ei tälle tunnukselle", "Inte för den här inloggningen",
                        "Not for this login"),
    "forbidden_heading": ("Tämä sivu ei ole sinun tunnuksellesi",
                          "Den här sidan är inte för din inloggning",
                          "This page is not for your login"),
    "forbidden_text": ("Olet kirjautunut: {who}. Omat sivusi ovat valikossa ylhäällä; pyydä "
                       "teknikolta toista roolia, jos tarvitset.",
                       "Du är inloggad som {who}. Dina sidor finns i menyn ovan; be teknikern "
                       "om en annan roll om du behöver.",
                       "You are logged in as {who}. Your pages are in the menu above; ask the "
                       "site's technician if you need another role."),
    "forbidden_home": ("Omalle sivullesi", "Till din sida", "Go to your page"),
    # -- the clerk's panel ------------------------------------------------------------------
    "now_serving": ("Palvelussa nyt", "Betjänas nu", "Now serving"),
    "nobody_called": ("Ei asiakasta palvelussa", "Ingen kund betjänas",
                      "Nobody being served"),
    "called_at": ("kutsuttu klo {time}", "kallad kl. {time}", "called at {time}"),
    "call_next": ("Kutsu seuraava", "Kalla nästa", "Call next"),
    "call_again": ("Kutsu uudelleen", "Kalla igen", "Call again"),
    "no_show": ("Ei saapunut", "Kom inte", "Did not come"),
    "complete": ("Valmis", "Klar", "Complete"),
    "call_next_for": ("Kutsu seuraava asiakas palveluun", "Kalla nästa till", "Call next for"),
    "waiting": ("Odottaa", "Väntar", "Waiting"),
    "closed_suffix": (" (suljettu)", " (stängd)", " (closed)"),
    "about_min": ("noin {n} min", "cirka {n} min", "about {n} min"),
    "given_number": ("Tietty numero", "Ett visst nummer", "A given number"),
    "call_this": ("Kutsu tämä numero", "Kalla det här numret", "Call this number"),
    "call": ("Kutsu", "Kalla", "Call"),
    "bring_back_late": ("Palauta myöhästynyt asiakas jonoon", "Ta tillbaka en försenad kund",
                        "Bring back a late customer"),
    "bring_back": ("Palauta", "Ta tillbaka", "Bring back"),
    "cancel_waiting": ("Peru odottava numero", "Avbryt ett väntande nummer",
                       "Cancel a waiting number"),
    "cancel": ("Peru", "Avbryt", "Cancel"),
    "transfer_heading": ("Siirrä palveltava asiakas", "Flytta kunden som betjänas",
                         "Transfer the customer being served"),
    "to_queue_of": ("Jonoon", "Till kön för", "To the queue of"),
    "transfer": ("Siirrä", "Flytta", "Transfer"),
    "transfer_hint": ("Asiakas pitää paikkansa: hän odottaa toista virastoa siitä hetkestä, "
                      "jolloin otti numeron.",
                      "Kunden behåller sin plats: hen väntar på den andra myndigheten från "
                      "den tid hen tog numret.",
                      "The customer keeps their place in line: they wait for the other "
                      "authority from the time they took the number."),
    "keys": ("Näppäimet", "Tangenter", "Keys"),
    # -- a real day at the clerk's desk: the room's state, languages, next authorities -----
    "room_state": ("Huoneen tila", "Rummets läge", "The room's state"),
    "new_state": ("Uusi tila", "Nytt läge", "New state"),
    "set_state": ("Vaihda tila", "Byt läge", "Change the state"),
    "rs_serving": ("Palvelee asiakkaita", "Betjänar kunder", "Serving customers"),
    "rs_paused": ("Tauolla: {reason}", "Paus: {reason}", "Paused: {reason}"),
    "rs_closed": ("Suljettu", "Stängt", "Closed"),
    "rs_since": ("klo {time} alkaen", "sedan kl. {time}", "since {time}"),
    "reason_break": ("tauko", "rast", "break"),
    "reason_lunch": ("lounas", "lunch", "lunch"),
    "reason_back_office": ("taustatyö", "bakgrundsarbete", "back office"),
    "reason_meeting": ("kokous", "möte", "meeting"),
    "state_hint": ("Tauolla tai suljettuun huoneeseen ei kutsuta ketään. Kun kutsut "
                   "seuraavan, huone palvelee taas.",
                   "Ingen kallas till ett rum med paus eller ett stängt rum. När du kallar "
                   "nästa betjänar rummet igen.",
                   "Nobody is called to a paused or closed room. Calling the next customer "
                   "makes it serving again."),
    "serve_in": ("Palvelen kielillä", "Jag betjänar på", "I serve in"),
    "serve_in_hint": ("Jonosta kutsutaan ensin näitä kieliä puhuvat, kuitenkin niin, ettei "
                      "kukaan odota kieltään liian kauan.",
                      "Kunder som talar dessa språk kallas först, men ingen väntar för länge "
                      "på grund av sitt språk.",
                      "Customers who chose these languages are called first, but nobody waits "
                      "too long because of their language."),
    "lang_fi": ("suomi", "finska", "Finnish"),
    "lang_sv": ("ruotsi", "svenska", "Swedish"),
    "lang_en": ("englanti", "engelska", "English"),
    "in_lang": ("Kieli: {lang}", "Språk: {lang}", "Language: {lang}"),
    "needs_assistance": ("Tarvitsee apua", "Behöver hjälp", "Needs assistance"),
    "then_to": ("sitten: {services}", "sedan: {services}", "then: {services}"),
    "continue_to": ("Valmis ja jatkaa palveluun", "Klar och vidare till",
                    "Complete and continue to"),
    "complete_continue": ("Valmis ja jatka", "Klar och vidare", "Complete and continue"),
    "continue_hint": ("Asiakas pitää numeronsa ja odottaa seuraavaa virastoa.",
                      "Kunden behåller sitt nummer och väntar på nästa myndighet.",
                      "The customer keeps their number and waits for the next authority."),
    # -- the advisor's lobby ----------------------------------------------------------------
    "lobby_live": ("Aula nyt", "Lobbyn just nu", "The lobby, live"),
    "attention": ("Vaatii huomiota", "Kräver uppmärksamhet", "Needs attention"),
    "queues": ("Jonot", "Köer", "Queues"),
    "authority": ("Virasto", "Myndighet", "Authority"),
    "estimate": ("Arvio", "Uppskattning", "Estimate"),
    "state": ("Tila", "Läge", "State"),
    "rooms": ("Huoneet", "Rum", "Rooms"),
    "room": ("Huone", "Rum", "Room"),
    "serving": ("Palvelee", "Betjänar", "Serving"),
    "since": ("Alkaen", "Sedan", "Since"),
    "room_sensors": ("Huoneen anturit", "Rummets sensorer", "Room sensors"),
    "issue_heading": ("Anna asiakkaalle numero", "Ge en kund ett nummer",
                      "Issue a number for a customer"),
    "slip_language": ("Lipun kieli", "Lappens språk", "Language of the slip"),
    "print_on": ("Tulosta", "Skriv ut på", "Print on"),
    "no_print": ("Älä tulosta: näytä numero tässä", "Skriv inte ut: visa numret här",
                 "Do not print: show the number here"),
    "kiosk_n": ("Lippuautomaatti {id}", "Nummerautomat {id}", "Kiosk {id}"),
    "issue": ("Anna numero", "Ge nummer", "Issue"),
    "fix_heading": ("Korjaa väärä valinta", "Rätta ett felaktigt val", "Fix a wrong choice"),
    "number": ("Numero", "Nummer", "Number"),
    "do": ("Toimenpide", "Åtgärd", "Do"),
    "fix_transfer": ("Siirrä toisen viraston jonoon", "Flytta till en annan myndighets kö",
                     "Move to another authority's queue"),
    "fix_cancel": ("Peru numero", "Avbryt numret", "Cancel the number"),
    "fix_reinstate": ("Palauta myöhästynyt asiakas", "Ta tillbaka en försenad kund",
                      "Bring back a late customer"),
    "fix_to": ("Virasto (siirrossa)", "Myndighet (vid flytt)", "Authority (for a move)"),
    "do_it": ("Tee", "Utför", "Do it"),
    "then_first": ("Sitten virastoon", "Sedan till myndigheten", "Then to"),
    "then_second": ("Sen jälkeen virastoon", "Därefter till myndigheten", "After that to"),
    "no_next": ("ei muuta virastoa", "ingen annan myndighet", "no other authority"),
    "ticket_heading": ("Asiakkaan numero", "Kundens nummer", "A customer's number"),
    "tk_assist_on": ("Merkitse: tarvitsee apua", "Markera: behöver hjälp",
                     "Mark: needs assistance"),
    "tk_assist_off": ("Poista merkintä: tarvitsee apua", "Ta bort markeringen: behöver hjälp",
                      "Unmark: needs assistance"),
    "tk_add_service": ("Lisää seuraava virasto", "Lägg till nästa myndighet",
                       "Add a next authority"),
    "tk_reprint": ("Tulosta uudelleen (kopio)", "Skriv ut igen (kopia)", "Reprint (a copy)"),
    "next_authority": ("Seuraava virasto", "Nästa myndighet", "Next authority"),
    "reprint_on": ("Tulosta laitteella", "Skriv ut på", "Reprint on"),
    "assist_hint": ("Vain luokka tallentuu, ei syytä eikä mitään henkilöstä.",
                    "Bara kategorin sparas, inget skäl och inget om personen.",
                    "Only the category is kept: no reason, nothing about the person."),
    "help_heading": ("Apua pyydetty", "Hjälp begärd", "Help wanted"),
    "help_at": ("Apua tarvitaan: {device}", "Hjälp behövs: {device}", "Help wanted at {device}"),
    "on_my_way": ("Olen tulossa", "Jag kommer", "On my way"),
    "on_my_way_to": ("Olen tulossa: {device}", "Jag kommer: {device}", "On my way to {device}"),
    "nobody_asks": ("Kukaan ei pyydä apua.", "Ingen ber om hjälp.", "Nobody is asking for help."),
    "room_langs": ("Kielet", "Språk", "Languages"),
    "paper_heading": ("Paperiset palautelomakkeet", "Feedbackblanketter på papper",
                      "Paper feedback forms"),
    "face_ticked": ("Asiakkaan valitsema kasvo", "Ansiktet kunden kryssade",
                    "The face the customer ticked"),
    "their_words": ("Asiakkaan sanat (vapaaehtoinen; nimet, numerot ja osoitteet peitetään)",
                    "Kundens ord (frivilligt; namn, nummer och adresser maskeras)",
                    "Their words (optional; names, numbers and addresses are masked)"),
    "form_language": ("Lomakkeen kieli", "Blankettens språk", "Form language"),
    "record_rating": ("Tallenna arvio", "Spara betyget", "Record the rating"),
    "survey_paper": ("Vuosittaisen asiakaskyselyn paperilomake",
                     "En pappersblankett från den årliga kundenkäten",
                     "A paper form of the yearly customer survey"),
    "day_on_form": ("Päivä lomakkeessa", "Dag på blanketten", "Day on the form"),
    "used_self_service": ("Käytti itsepalvelua", "Använde självbetjäningen",
                          "Used the self-service"),
    "dropped_documents": ("Jätti asiakirjoja", "Lämnade in handlingar",
                          "Dropped off documents"),
    "statement": ("Väittämä", "Påstående", "Statement"),
    "rating": ("Arvio", "Betyg", "Rating"),
    "rating_of": ("Väittämän {n} arvio", "Betyg för påstående {n}", "Rating of statement {n}"),
    "not_answered": ("ei vastattu", "inte besvarad", "not answered"),
    "record_survey": ("Tallenna kyselylomake", "Spara enkätblanketten",
                      "Record the survey form"),
    "devices": ("Laitteet", "Enheter", "Devices"),
    "device": ("Laite", "Enhet", "Device"),
    "problems": ("Ongelmat", "Problem", "Problems"),
    "just_now": ("Juuri nyt", "Just nu", "Just now"),
    "time": ("Aika", "Tid", "Time"),
    "what": ("Mitä", "Vad", "What"),
    "open": ("auki", "öppen", "open"),
    "closed": ("suljettu", "stängd", "closed"),
    "congested": ("ruuhka", "trängsel", "congested"),
    "no_sensors": ("ei antureita", "inga sensorer", "no sensors"),
    "lost_broker": ("Konsoli on menettänyt yhteyden välittäjään: näkymä voi olla vanha.",
                    "Konsolen har tappat mäklaren: det du ser kan vara gammalt.",
                    "The console has lost the broker: what you see may be old."),
    "all_fine": ("Ei mitään: kaikki jonot, huoneet ja laitteet ovat kunnossa.",
                 "Inget: alla köer, rum och enheter fungerar.",
                 "Nothing: every queue, room and device is fine."),
    "ev_ticket.issued": ("otti numeron", "tog ett nummer", "took a number"),
    "ev_ticket.called": ("kutsuttu", "kallad", "called"),
    "ev_ticket.recalled": ("kutsuttu uudelleen", "kallad igen", "called again"),
    "ev_ticket.no_show": ("ei saapunut", "kom inte", "did not come"),
    "ev_ticket.completed": ("palveltu", "betjänad", "served"),
    "ev_ticket.transferred": ("siirretty", "flyttad", "transferred"),
    "ev_ticket.cancelled": ("peruttu", "avbruten", "cancelled"),
    "ev_ticket.reinstated": ("palautettu jonoon", "tillbaka i kön", "back in the queue"),
    "pr_never_seen": ("ei ole koskaan näkynyt välittäjällä", "har aldrig synts på mäklaren",
                      "never seen on the broker"),
    "pr_state": ("{state} klo {since} alkaen", "{state} sedan {since}", "{state} since {since}"),
    "pr_printer": ("tulostin: {state}", "skrivare: {state}", "printer: {state}"),
    "pr_sensors": ("anturit: {detail}", "sensorer: {detail}", "sensors: {detail}"),
    "pr_part": ("{part}: {detail}", "{part}: {detail}", "{part}: {detail}"),
    "st_online": ("yhteydessä", "ansluten", "online"),
    "st_offline": ("poissa", "frånkopplad", "offline"),
    "st_stopped": ("pysäytetty", "stoppad", "stopped"),
    "st_unknown": ("tuntematon", "okänd", "unknown"),
    "ps_ok": ("kunnossa", "ok", "ok"),
    "ps_paper_low": ("paperi vähissä", "lite papper", "paper low"),
    "ps_paper_out": ("paperi loppu", "slut på papper", "paper out"),
    "ps_cover_open": ("kansi auki", "locket öppet", "cover open"),
    "ps_offline": ("ei yhteyttä", "ingen förbindelse", "offline"),
    "ps_error": ("vika", "fel", "error"),
    "occ_vacant": ("tyhjä", "tomt", "vacant"),
    "occ_staff_only": ("vain virkailija", "bara personal", "staff only"),
    "occ_customer_only": ("vain asiakas", "bara kund", "customer only"),
    "occ_in_session": ("asiakas palvelussa", "kund betjänas", "in session"),
    "warning": ("varoitus", "varning", "warning"),
    "info": ("tieto", "info", "info"),
    "device_tag": ("laite", "enhet", "device"),
    # -- device health ----------------------------------------------------------------------
    "health_heading": ("Laitteiden kunto", "Enheternas hälsa", "Device health"),
    "health_hint": ("Jokainen laite raportoi osansa minuutin välein ja aina muutoksen "
                    "tullen; vastaamaton laite näkyy poissa olevana viimeistään puolentoista "
                    "minuutin kuluttua.",
                    "Varje enhet rapporterar sina delar varje minut och när något ändras; en "
                    "enhet som slutar svara visas som frånkopplad inom en och en halv minut.",
                    "Each device reports its parts every minute and when something changes; "
                    "a device that stops answering is shown offline by the broker within a "
                    "minute and a half."),
    "roles": ("Roolit", "Roller", "Roles"),
    "last_report": ("Viimeisin raportti", "Senaste rapport", "Last report"),
    "printer": ("Tulostin", "Skrivare", "Printer"),
    "version": ("Versio", "Version", "Version"),
    "recent_alerts": ("Viimeisimmät hälytykset", "Senaste larm", "Recent alerts"),
    "kind": ("Laji", "Typ", "Kind"),
    "raised": ("päällä", "aktiv", "raised"),
    "cleared": ("poistunut", "åtgärdad", "cleared"),
    # -- why an action is not for this login ------------------------------------------------
    "why_room": ("palvelet huonetta {mine}, et huonetta {other}",
                 "du betjänar rum {mine}, inte rum {other}",
                 "you serve room {mine}, not room {other}"),
    "why_clerk": ("virkailija ei tee toimenpidettä {command}",
                  "en handläggare gör inte {command}", "a clerk does not {command}"),
    "why_advisor": ("palveluneuvoja ei toimi huoneen puolesta; huoneen virkailija toimii",
                    "servicerådgivaren agerar inte för ett rum; rummets handläggare gör det",
                    "the advisor does not act for a room; the room's clerk does"),
    "why_reader": ("roolilla {role} voi vain katsoa; se ei muuta jonoa",
                   "rollen {role} kan bara läsa; den ändrar ingenting i kön",
                   "the {role} role only reads; it changes nothing in the queue"),
    # -- what the server says after an action -----------------------------------------------
    "said_call": ("Kutsuttu {number} ({service}) huoneeseen {room}.",
                  "Kallade {number} ({service}) till rum {room}.",
                  "Called {number} ({service}) to room {room}."),
    "said_recall": ("Kutsuttu {number} uudelleen huoneeseen {room}.",
                    "Kallade {number} igen till rum {room}.",
                    "Called {number} again to room {room}."),
    "said_no_show": ("{number} ei saapunut; numero poistui jonosta.",
                     "{number} kom inte; numret lämnade kön.",
                     "{number} did not come; it left the queue."),
    "said_complete": ("{number} palveltu.", "{number} klar.", "Completed {number}."),
    "said_transfer": ("{number} odottaa nyt palvelua {service} alkuperäisellä paikallaan.",
                      "{number} väntar nu på {service} på sin ursprungliga plats.",
                      "{number} now waits for {service}, at its original place."),
    "said_reinstate": ("{number} on taas jonossa alkuperäisellä paikallaan.",
                       "{number} är tillbaka i kön på sin ursprungliga plats.",
                       "{number} is back in the queue at its original place."),
    "said_cancel": ("{number} peruttu.", "{number} avbrutet.", "Cancelled {number}."),
    "said_continue": ("{number} palveltu; jatkaa palveluun {service} samalla numerolla.",
                      "{number} klar; fortsätter till {service} med samma nummer.",
                      "{number} done; it continues to {service} with the same number."),
    "said_assist_on": ("{number} merkitty: tarvitsee apua.", "{number} markerad: behöver hjälp.",
                       "{number} marked: needs assistance."),
    "said_assist_off": ("{number}: merkintä poistettu.", "{number}: markeringen borttagen.",
                        "{number}: no longer marked as needing assistance."),
    "said_add_service": ("{number}: sitten {then}.", "{number}: sedan {then}.",
                         "{number}: then {then}."),
    "said_reprint": ("{number} tulostetaan uudelleen kopiona.",
                     "{number} skrivs ut igen som kopia.", "{number} is reprinted as a copy."),
    "said_room_serving": ("Huone {room} palvelee.", "Rum {room} betjänar.",
                          "Room {room} is serving."),
    "said_room_paused": ("Huone {room} on tauolla ({reason}); sinne ei kutsuta ketään.",
                         "Rum {room} har paus ({reason}); ingen kallas dit.",
                         "Room {room} is paused ({reason}); nobody is called to it."),
    "said_room_closed": ("Huone {room} on suljettu; sinne ei kutsuta ketään.",
                         "Rum {room} är stängt; ingen kallas dit.",
                         "Room {room} is closed; nobody is called to it."),
    "said_room_languages": ("Huone {room} palvelee kielillä: {languages}.",
                            "Rum {room} betjänar på: {languages}.",
                            "Room {room} serves in: {languages}."),
    "said_help_answer": ("Kerrottu muille: olet tulossa.", "De andra vet: du är på väg.",
                         "The others know: you are on your way."),
    "said_pick_language": ("Valitse vähintään yksi kieli.", "Välj minst ett språk.",
                           "Choose at least one language."),
    "said_no_service": ("Palvelua '{service}' ei ole tässä palvelupisteessä.",
                        "Tjänsten '{service}' finns inte på det här servicestället.",
                        "This site has no service '{service}'."),
    "said_no_device": ("Laitetta '{device}' ei ole tässä palvelupisteessä.",
                       "Enheten '{device}' finns inte på det här servicestället.",
                       "This site has no device '{device}'."),
    "said_issue": ("Annettu {number} ({service}); edellä {ahead}.",
                   "Gav {number} ({service}); {ahead} före.",
                   "Issued {number} ({service}); {ahead} ahead."),
    "said_recorded": ("Tallennettu. Kiitos.", "Sparat. Tack.", "Recorded. Thank you."),
    "said_nobody": ("Kukaan ei odota näihin palveluihin.", "Ingen väntar på de här tjänsterna.",
                    "Nobody is waiting for these services."),
    "said_printing": ("Tulostetaan laitteella {kiosk}.", "Skrivs ut på {kiosk}.",
                      "Printing on {kiosk}."),
    "said_no_answer": ("Ohjain ei vastannut; mitään ei muutettu. Yritä uudelleen.",
                       "Styrenheten svarade inte; inget ändrades. Försök igen.",
                       "The controller did not answer; nothing was changed. Try again."),
    "said_not_done": ("Ei tehty: {why}", "Inte gjort: {why}", "Not done: {why}"),
    "said_not_allowed": ("Ei sallittu: {why}.", "Inte tillåtet: {why}.", "Not allowed: {why}."),
    "said_logged_out": ("Olet kirjautunut ulos; kirjaudu uudelleen.",
                        "Du är utloggad; logga in igen.", "You are logged out; log in again."),
    "said_expired": ("Sivu vanheni; lataa se uudelleen ja yritä taas.",
                     "Sidan gick ut; ladda om den och försök igen.",
                     "The page had expired; reload it and try again."),
    "said_unknown": ("Tuntematon toimenpide.", "Okänd åtgärd.", "Unknown action."),
    "said_no_kiosk": ("'{kiosk}' ei ole lippuautomaatti, jossa on tulostin.",
                      "'{kiosk}' är ingen nummerautomat med skrivare.",
                      "'{kiosk}' is no kiosk with a printer."),
    "said_unreachable": ("Konsoliin ei saatu yhteyttä; mitään ei muutettu.",
                         "Konsolen gick inte att nå; inget ändrades.",
                         "The console could not be reached; nothing was changed."),
    # -- the codes of the wire, each in words (tests/test_console_content.py walks them) ----
    "err_bad_request": ("ohjain ei ymmärtänyt pyyntöä.", "styrenheten förstod inte begäran.",
                        "the controller did not understand the request."),
    "err_unknown_service": ("palvelua ei ole tässä palvelupisteessä.",
                            "tjänsten finns inte på det här servicestället.",
                            "this site has no such service."),
    "err_service_closed": ("palvelu on nyt suljettu.", "tjänsten är stängd nu.",
                           "the service is closed now."),
    "err_unknown_room": ("huonetta ei ole tässä palvelupisteessä.",
                         "rummet finns inte på det här servicestället.",
                         "this site has no such room."),
    "err_no_ticket": ("numero ei ole tänään jonossa siinä tilassa, jota tämä vaatii.",
                      "numret finns inte i kön i dag i det läge som det här kräver.",
                      "that number is not in the queue today in the state this needs."),
    "err_no_ticket_room": ("huoneeseen ei ole kutsuttu numeroa.",
                           "inget nummer är kallat till rummet.",
                           "no number is called to this room."),
    "err_unknown_appointment": ("ajanvarausta ei löytynyt.", "bokningen hittades inte.",
                                "no such appointment was found."),
    "err_room_busy": ("huone on tauolla tai suljettu; sinne ei voi kutsua ketään nyt.",
                      "rummet har paus eller är stängt; ingen kan kallas dit nu.",
                      "the room is paused or closed; nobody can be called to it now."),
    "err_forbidden": ("tämä ei ole sallittua tältä laitteelta.",
                      "det här är inte tillåtet från den här enheten.",
                      "this is not allowed from this device."),
    "err_rate_limited": ("liian monta pyyntöä juuri nyt; odota hetki ja yritä uudelleen.",
                         "för många begäranden just nu; vänta en stund och försök igen.",
                         "too many requests just now; wait a moment and try again."),
    "err_too_many_attempts": ("liian monta väärää koodia; odota hetki.",
                              "för många fel koder; vänta en stund.",
                              "too many wrong codes; wait a moment."),
    "err_survey_closed": ("asiakaskysely ei ole tänään auki.", "kundenkäten är inte öppen i dag.",
                          "the customer survey is not open today."),
    "err_internal": ("ohjaimessa tapahtui virhe; mitään ei muutettu. Kerro teknikolle.",
                     "ett fel i styrenheten; inget ändrades. Säg till teknikern.",
                     "the controller failed; nothing was changed. Tell the technician."),
    "err_unknown": ("ohjain kieltäytyi.", "styrenheten vägrade.", "the controller refused."),
    "ps_unknown": ("tila ei tiedossa", "läget okänt", "state not known"),
    "occ_unknown": ("anturit epävarmoja", "sensorerna osäkra", "sensors unsure"),
    "ss_starting": ("käynnistyy", "startar", "starting"),
    "ss_ok": ("kunnossa", "ok", "ok"),
    "ss_silent": ("ei signaalia", "ingen signal", "no signal"),
    "ss_stuck": ("jumissa (näkee aina jonkun)", "fastnat (ser alltid någon)",
                 "stuck (always sees someone)"),
    "ss_failed": ("ei toimi", "fungerar inte", "not working"),
    "side_staff": ("virkailijan puoli", "personalens sida", "staff side"),
    "side_customer": ("asiakkaan puoli", "kundens sida", "customer side"),
    "pr_fault": ("{side} {status}", "{side} {status}", "{side} {status}"),
    "pr_failed": ("ei toimi", "fungerar inte", "not working"),
    "pr_refused": ("toinen ohjain ({serving}) palvelee jo; pysäytä tämä",
                   "en annan styrenhet ({serving}) betjänar redan; stoppa den här",
                   "another controller ({serving}) already serves the site; stop this one"),
    "part_controller": ("ohjain", "styrenhet", "controller"),
    "part_kiosk": ("lippuautomaatti", "nummerautomat", "kiosk"),
    "part_display": ("näyttö", "skärm", "display"),
    "part_room": ("huonelaite", "rumsenhet", "room unit"),
    "part_feedback": ("palautelaite", "feedbackenhet", "feedback device"),
    "part_web": ("konsoli", "konsol", "console"),
    "part_broker": ("välittäjä", "mäklare", "broker"),
    "part_printer": ("tulostin", "skrivare", "printer"),
    "part_keys": ("näppäimet", "tangenter", "keys"),
    "part_speech": ("puhe", "tal", "speech"),
    "part_scanner": ("lukija", "läsare", "scanner"),
    "part_chime": ("äänimerkki", "ljudsignal", "chime"),
    "part_voice": ("kuulutus", "utrop", "voice"),
    "part_sensors": ("anturit", "sensorer", "sensors"),
    "al_congestion": ("ruuhka", "trängsel", "congestion"),
    "al_printer": ("tulostin", "skrivare", "printer"),
    "al_sensor": ("anturi", "sensor", "sensor"),
    "al_device_offline": ("laite poissa", "enhet frånkopplad", "device offline"),
    "al_duplicate_controller": ("kaksi ohjainta", "två styrenheter", "two controllers"),
    "al_help_wanted": ("apua pyydetty", "hjälp begärd", "help wanted"),
    "ev_ticket.continued": ("jatkaa seuraavaan virastoon", "fortsätter till nästa myndighet",
                            "continues to the next authority"),
    "ev_ticket.leg_added": ("seuraava virasto lisätty", "nästa myndighet tillagd",
                            "next authority added"),
    "ev_ticket.reprinted": ("tulostettu uudelleen", "utskriven igen", "reprinted"),
    "last_completed": ("Viimeksi palveltu {number} klo {time}",
                       "Senast betjänad {number} kl. {time}", "Last served {number} at {time}"),
    "last_no_show": ("{number} ei saapunut (klo {time})", "{number} kom inte (kl. {time})",
                     "{number} did not come ({time})"),
    "last_transferred": ("{number} siirretty toiseen jonoon klo {time}",
                         "{number} flyttad till en annan kö kl. {time}",
                         "{number} moved to another queue at {time}"),
    # -- the clerk's keys (WCAG 2.1.4: a modifier, single letters only when turned on) ----
    "keys_chord": ("Alt+Vaihto ja kirjain: N kutsu seuraava · R uudelleen · X ei saapunut · "
                   "C valmis · G numero · M siirrä · L palauta · D peru. "
                   "Esc takaisin painikkeisiin.",
                   "Alt+Skift och bokstaven: N kalla nästa · R igen · X kom inte · C klar · "
                   "G nummer · M flytta · L ta tillbaka · D avbryt. "
                   "Esc tillbaka till knapparna.",
                   "Alt+Shift and the letter: N call next · R again · X did not come · "
                   "C complete · G a number · M transfer · L bring back · D cancel. "
                   "Esc back to the buttons."),
    "single_keys": ("Myös pelkkä kirjain ilman Alt+Vaihto (ei kun kirjoitat kenttään)",
                    "Även bara bokstaven utan Alt+Skift (inte när du skriver i ett fält)",
                    "The letter alone too, without Alt+Shift (not while typing in a field)"),
}
TEXTS.update(STATS_TEXTS)  # the statistics pages' words, kept in their own module
TEXTS.update(ALARM_TEXTS)  # the silent alarm's (issue 26)

# What the pages' scripts need (the rest is drawn on the server).
SCRIPT_KEYS = (
    "live", "reconnecting", "link_down", "nobody_called", "called_at", "closed_suffix",
    "about_min", "open", "closed", "congested", "no_sensors", "lost_broker", "all_fine",
    "raised", "cleared", "said_unreachable", "warning", "info", "device_tag",
    "rs_serving", "rs_paused", "rs_closed", "rs_since", "in_lang", "needs_assistance",
    "then_to", "help_at", "on_my_way", "on_my_way_to", "nobody_asks",
    *(k for k in TEXTS if k.split("_")[0] in ("reason", "lang")),
    *(k for k in TEXTS if k.split("_")[0] in ("ev", "pr", "st", "ps", "occ", "ss", "side",
                                              "part", "al", "last")),
    *(k for k in STATS_TEXTS if k.startswith("stats_js_")),
    *(k for k in ALARM_TEXTS if k.startswith("alarm_")),
)


def pick_lang(cookie: str | None, accept_language: str | None) -> str:
    """The staff member's choice, else the browser's first of ours, else Finnish."""
    if cookie in LANGS:
        return str(cookie)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG


def translator(lang: str) -> Callable[..., str]:
    index = LANGS.index(lang) if lang in LANGS else 0

    def t(key: str, **values: object) -> str:
        words = TEXTS.get(key)
        if words is None:
            return key
        # {n:#one|other}: the word in the form the number takes (firmware/core/plural.py).
        return FORMATTER.format(words[index], **values) if values else words[index]

    return t


def script_texts(lang: str) -> dict[str, str]:
    t = translator(lang)
    return {key: t(key) for key in SCRIPT_KEYS}


SAID = {
    topics.CALL: "said_call", topics.RECALL: "said_recall", topics.NO_SHOW: "said_no_show",
    topics.COMPLETE: "said_complete", topics.TRANSFER: "said_transfer",
    topics.REINSTATE: "said_reinstate", topics.CANCEL: "said_cancel", topics.ISSUE: "said_issue",
    ADD_SERVICE: "said_add_service", REPRINT: "said_reprint",
}


ROOM_COMMANDS = (topics.RECALL, topics.NO_SHOW, topics.COMPLETE)


def refusal_words(code: object, command: str, lang: str = "en") -> str:
    """Why the controller refused, as a sentence (never its code): "no ticket" to a room's
    command means nothing is called there."""
    t = translator(lang)
    key = f"err_{code}"
    if code == "no_ticket" and command in ROOM_COMMANDS:
        key = "err_no_ticket_room"
    return t(key) if key in TEXTS else t("err_unknown")


def describe(answer: dict[str, Any] | None, command: str, lang: str = "en") -> str:
    """The controller's answer in the words a clerk wants to read (the terminal console and
    the browser say the same sentences); None (no answer at all) says so."""
    t = translator(lang)
    if answer is None:
        return t("said_no_answer")
    if answer.get("ok") is True and command in (topics.FEEDBACK, topics.SURVEY):
        return t("said_recorded")
    if answer.get("ok") is True and command == HELP_ANSWER:
        return t("said_help_answer")
    if answer.get("ok") is True and command in (ROOM_STATE, ROOM_LANGUAGES):
        return _room_said(answer.get("room"), command, t)
    try:
        read = messages.ticket_answer(answer)
    except MessageError:  # not what a controller says: nothing to tell but that
        return t("said_not_done", why=refusal_words(None, command, lang))
    if isinstance(read, messages.Refusal):
        return t("said_not_done", why=refusal_words(read.code, command, lang))
    if read.ticket is None:
        return t("said_nobody")
    raw = answer.get("ticket") if isinstance(answer.get("ticket"), dict) else {}
    then = [str(s) for s in raw.get("then", []) if isinstance(s, str)] \
        if isinstance(raw.get("then"), list) else []
    values = {"room": "", "service": "", "ahead": "", **read.ticket.to_wire(),
              "then": ", ".join(then) or "–"}
    key = SAID.get(command, "said_recorded")
    if command == topics.COMPLETE and read.ticket.status == "waiting":
        key = "said_continue"  # the same number waits for its next authority
    elif command == ASSIST:
        key = "said_assist_on" if raw.get("assistance") is True else "said_assist_off"
    return t(key, **values)


def _room_said(room: Any, command: str, t: Callable[..., str]) -> str:
    if not isinstance(room, dict):
        return t("said_not_done", why=t("err_unknown"))
    if command == ROOM_LANGUAGES:
        languages = room.get("languages") if isinstance(room.get("languages"), list) else []
        return t("said_room_languages", room=room.get("id", ""), languages=", ".join(
            t(f"lang_{x}") for x in LANGS if x in languages) or "–")
    state = room.get("state") if room.get("state") in ("serving", "paused", "closed") \
        else "serving"
    return t(f"said_room_{state}", room=room.get("id", ""),
             reason=t(f"reason_{room.get('reason')}"))
