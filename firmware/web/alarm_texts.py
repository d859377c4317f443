"""The silent alarm's words in the console (issue 26), in Finnish, Swedish and English.

Kept apart from firmware/web/texts.py, which takes them in; the keys the pages' scripts
need start with `alarm_` (all of them go to the scripts).
"""

from __future__ import annotations

DRILL = "HARJOITUS · ÖVNING · DRILL"  # the same words in every language, on every surface

ALARM_TEXTS: dict[str, tuple[str, str, str]] = {
    "role_guard": ("vartija", "väktare", "guard"),
    "nav_guard": ("Hälytykset", "Larm", "Alarms"),
    # -- why not (after "Not allowed: ") ------------------------------------------------------
    "why_alarm_raise": ("hiljaisen hälytyksen lähettää huoneen virkailija omasta huoneestaan",
                        "ett tyst larm skickas av rummets handläggare från sitt eget rum",
                        "a silent alarm is sent by the clerk of a room, for their own room"),
    "why_alarm_ack": ("hälytyksen kuittaa vain vartija tai palveluneuvoja",
                      "bara en väktare eller en servicerådgivare kvitterar ett larm",
                      "only a guard or an advisor acknowledges an alarm"),
    "why_alarm_clear": ("hälytyksen päättää vain vartija tai palveluneuvoja",
                        "bara en väktare eller en servicerådgivare avslutar ett larm",
                        "only a guard or an advisor clears an alarm"),
    "why_alarm_drill": ("hälytysharjoituksen aloittaa vain teknikko tai palveluneuvoja",
                        "bara en tekniker eller en servicerådgivare startar en larmövning",
                        "only a technician or an advisor runs an alarm drill"),
    # -- what the server says -----------------------------------------------------------------
    "alarm_said_sent": ("Hälytys lähetetty.", "Larmet skickat.", "Alarm sent."),
    "alarm_said_drill": ("Harjoitushälytys lähetetty: {room}.",
                         "Övningslarm skickat: {room}.",
                         "Drill alarm sent: {room}."),
    "alarm_said_already": ("Hälytys on jo lähetetty tästä huoneesta; sitä ei lähetetty "
                           "uudelleen.",
                           "Larmet är redan skickat från det här rummet; det skickades inte "
                           "igen.",
                           "The alarm was already sent for this room; it was not sent again."),
    "alarm_said_ack": ("Kuitattu: {room}. Muut näkevät, että olet tulossa.",
                       "Kvitterat: {room}. De andra ser att du är på väg.",
                       "Acknowledged: {room}. The others see you are on your way."),
    "alarm_said_already_ack": ("Hälytyksen on jo kuitannut {name}.",
                               "Larmet är redan kvitterat av {name}.",
                               "The alarm was already acknowledged by {name}."),
    "alarm_said_cleared": ("Hälytys päättynyt: {room}.", "Larmet avslutat: {room}.",
                           "Alarm cleared: {room}."),
    "alarm_said_over": ("Tämä hälytys on jo päättynyt.", "Det här larmet är redan avslutat.",
                        "This alarm is already over."),
    "alarm_said_unknown": ("Tällaista hälytystä ei ole; lataa sivu uudelleen.",
                           "Inget sådant larm finns; ladda om sidan.",
                           "There is no such alarm; reload the page."),
    "alarm_said_no_room": ("Huonetta '{room}' ei ole tässä toimipisteessä.",
                           "Rum '{room}' finns inte på det här servicestället.",
                           "There is no room '{room}' at this site."),
    "alarm_said_link_down": ("Konsolilla ei juuri nyt ole yhteyttä välittäjään: viesti lähtee "
                             "heti, kun yhteys palaa.",
                             "Konsolen har just nu ingen förbindelse till mäklaren: meddelandet "
                             "går i väg så snart förbindelsen är tillbaka.",
                             "The console has no link to the broker right now: this goes out "
                             "as soon as the link is back."),
    "alarm_said_failed": ("Hälytystä ei voitu käsitellä; yritä uudelleen.",
                          "Larmet kunde inte behandlas; försök igen.",
                          "The alarm could not be handled; try again."),
    # -- the banner (guard and advisor) ------------------------------------------------------
    "alarm_title": ("HÄLYTYS", "LARM", "ALARM"),
    "alarm_room_at": ("{room} · klo {time}", "{room} · kl. {time}", "{room} · {time}"),
    "alarm_again": ("Painettu uudelleen klo {time}", "Tryckt igen kl. {time}",
                    "Pressed again {time}"),
    "alarm_drill": (DRILL, DRILL, DRILL),
    "alarm_escalated": ("Eskaloitu klo {time}", "Eskalerat kl. {time}", "Escalated {time}"),
    "alarm_relay": ("hälytysrele kytketty", "larmreläet tillslaget", "alarm relay switched on"),
    "alarm_ack": ("Kuittaa", "Kvittera", "Acknowledge"),
    "alarm_clear": ("Päätä hälytys", "Avsluta larmet", "Clear"),
    "alarm_acked_by": ("Kuitannut {name} klo {time}", "Kvitterat av {name} kl. {time}",
                       "Acknowledged by {name} {time}"),
    "alarm_click_sound": ("Napsauta tai paina näppäintä, niin hälytysääni kuuluu",
                          "Klicka eller tryck på en tangent för att höra larmljudet",
                          "Click to hear the alarm sound"),
    "alarm_notice": ("Hälytys eskaloitu: {room}, klo {time}",
                     "Larmet eskalerat: {room}, kl. {time}",
                     "Alarm in {room} escalated {time}"),
    # -- the clerk's page ---------------------------------------------------------------------
    "alarm_heading": ("Turvallisuus", "Säkerhet", "Safety"),
    "alarm_start": ("Hiljainen hälytys", "Tyst larm", "Silent alarm"),
    "alarm_confirm": ("Lähetetäänkö hiljainen hälytys vartijalle? Huoneessa ei näy eikä kuulu "
                      "mitään.",
                      "Skicka ett tyst larm till väktaren? Ingenting syns eller hörs i rummet.",
                      "Send a silent alarm to the guard? Nothing shows or sounds in the room."),
    "alarm_confirm_hint": ("Vahvista 10 sekunnin kuluessa.", "Bekräfta inom 10 sekunder.",
                           "Confirm within 10 seconds."),
    "alarm_send": ("Lähetä hälytys", "Skicka larmet", "Send the alarm"),
    "alarm_cancel": ("Peruuta", "Avbryt", "Cancel"),
    "alarm_status_sent": ("Hälytys lähetetty {time}", "Larm skickat {time}",
                          "Alarm sent {time}"),
    "alarm_status_seen": ("Nähty {time}", "Sett {time}", "Seen {time}"),
    # -- drills (technician, advisor) ---------------------------------------------------------
    "alarm_drill_heading": ("Hälytysharjoitus", "Larmövning", "Alarm drill"),
    "alarm_drill_room": ("Huone, josta harjoitushälytys lähtee",
                         "Rummet som övningslarmet skickas från",
                         "Room the drill alarm comes from"),
    "alarm_drill_start": ("Aloita harjoitus", "Starta övningen", "Start a drill"),
    "alarm_drill_hint": ("Vartijan ja palveluneuvojien konsolit hälyttävät; kaikkialla lukee "
                         "HARJOITUS. Vartija tai palveluneuvoja päättää sen.",
                         "Väktarens och servicerådgivarnas konsoler larmar; överallt står det "
                         "ÖVNING. En väktare eller servicerådgivare avslutar den.",
                         "The guard's and advisors' consoles ring, marked DRILL everywhere. "
                         "A guard or an advisor clears it."),
    # -- the guard's page ---------------------------------------------------------------------
    "alarm_guard_heading": ("Hälytykset tänään", "Dagens larm", "Today's alarms"),
    "alarm_guard_hint": ("Kun virkailija lähettää hiljaisen hälytyksen, se näkyy koko näytön "
                         "ilmoituksena ja kuuluu äänenä, kunnes joku kuittaa sen.",
                         "När en handläggare skickar ett tyst larm syns det över hela skärmen "
                         "och hörs tills någon kvitterar det.",
                         "When a clerk sends a silent alarm it fills the screen and sounds "
                         "until someone acknowledges it."),
    "alarm_none": ("Ei hälytyksiä tänään.", "Inga larm i dag.", "No alarms today."),
    "alarm_test": ("Testaa ääni", "Testa ljudet", "Test the sound"),
    "alarm_test_hint": ("Soittaa hälytysäänen kerran: tarkista, että ääni kuuluu.",
                        "Spelar larmljudet en gång: kontrollera att det hörs.",
                        "Plays the alarm sound once: check that you hear it."),
    "alarm_col_room": ("Huone", "Rum", "Room"),
    "alarm_col_raised": ("Lähetetty", "Skickat", "Sent"),
    "alarm_col_state": ("Tila", "Läge", "State"),
    "alarm_col_ack": ("Kuitattu", "Kvitterat", "Acknowledged"),
    "alarm_col_cleared": ("Päättynyt", "Avslutat", "Cleared"),
    "alarm_st_raised": ("Hälyttää", "Larmar", "Ringing"),
    "alarm_st_acknowledged": ("Kuitattu", "Kvitterat", "Acknowledged"),
    "alarm_st_cleared": ("Päättynyt", "Avslutat", "Cleared"),
    "alarm_by": ("{name} klo {time}", "{name} kl. {time}", "{name} {time}"),
}
