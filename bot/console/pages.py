"""The console's pages: each reads through `ConsoleData` (bot/console/data.py) and renders a
template; each route names the permissions that open it (bot/console/web.py checks them)."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import RedirectResponse, Response

from bot.console import auth
from bot.console.data import AuditFilter, NotFound, PlannedUpload, zip_files
from bot.console.web import PREFIX, Console, Ctx, Endpoint
from core.roles import Permission, StaffRole
from inspectorate.import_plan import ImportOptions
from inspectorate.import_rules import REASONS
from inspectorate.respondent_file import RespondentFileError
from inspectorate.stats import CATEGORY_LABELS, VERDICT_LABELS, Section
from outreach.audience import AudienceFilter
from outreach.reminders import IDS, find, text_key, title_key
from outreach.report import local_time, refusal_text, summary
from outreach.schedule import DAY_LABELS, Schedule, ScheduleError, parse_zone
from outreach.service import BroadcastRefused, BroadcastRequest, Preview
from storage.states import Category

P = Permission
STATS = (P.READ_STATS,)
ANY_STATS = (P.READ_STATS, P.READ_AGGREGATE_STATS)
DELETE_REASONS = {
    "permintaan": "Permintaan penghapusan dari pemilik data",
    "salah_orang": "Data salah atau bukan orang yang dimaksud",
    "ganda": "Data ganda",
    "lainnya": "Alasan lain (tercatat tanpa keterangan)",
}
DAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
ZONES = ("WIB", "WITA", "WIT")
SIZES = ("a4", "xbanner")
_POSTER_CACHE = 24


def endpoints(console: Console) -> list[Endpoint]:
    p = Pages(console)
    post = ("POST",)
    return [
        Endpoint("/", p.home, ANY_STATS),
        Endpoint("/responden", p.respondents, STATS),
        Endpoint("/responden/unggah", p.upload, (P.IMPORT,), post),
        Endpoint("/responden/unggah/{upload:int}/laporan.csv", p.upload_report, (P.IMPORT,)),
        Endpoint("/responden/unggah/{upload:int}/impor", p.upload_confirm, (P.IMPORT,), post),
        Endpoint("/responden/unggah/{upload:int}/batal", p.upload_cancel, (P.IMPORT,), post),
        Endpoint("/responden/ekspor", p.export, (P.EXPORT,), post),
        Endpoint("/responden/{rid:int}", p.person, (P.EXPORT,)),
        Endpoint("/responden/{rid:int}/hapus", p.erase, (P.DELETE_PERSON,), post),
        Endpoint("/unit", p.units, STATS),
        Endpoint("/unit/unggah", p.units_upload, (P.IMPORT,), post),
        Endpoint("/unit/semua-{size}.zip", p.posters_zip, STATS),
        Endpoint("/unit/{code}/{file}", p.poster, STATS),
        Endpoint("/siaran", p.broadcasts, (P.BROADCAST_CATALOGUE,)),
        Endpoint("/siaran/baru", p.broadcast_new, (P.BROADCAST_CATALOGUE,), ("GET", "POST")),
        Endpoint("/siaran/pratinjau", p.broadcast_preview, (P.BROADCAST_CATALOGUE,), post),
        Endpoint("/siaran/{bid:int}", p.broadcast, (P.BROADCAST_CATALOGUE,)),
        Endpoint("/siaran/{bid:int}/kemajuan", p.broadcast_progress, (P.BROADCAST_CATALOGUE,)),
        Endpoint("/siaran/{bid:int}/{action}", p.broadcast_control, (P.BROADCAST_CATALOGUE,),
                 post),
        Endpoint("/statistik", p.stats, ANY_STATS),
        Endpoint("/statistik.csv", p.stats_csv, ANY_STATS),
        Endpoint("/statistik/grafik.png", p.stats_chart, ANY_STATS),
        Endpoint("/audit", p.audit, (P.READ_AUDIT,)),
        Endpoint("/akun", p.account, ()),
        Endpoint("/akun/sandi", p.change_password, (), post),
        Endpoint("/akun/sesi/{sid:int}/cabut", p.revoke_session, (), post),
        Endpoint("/akun/petugas", p.add_staff, (P.MANAGE_STAFF,), post),
        Endpoint("/akun/petugas/{staff:int}/akhiri", p.end_sessions, (P.MANAGE_STAFF,), post),
        Endpoint("/akun/petugas/{staff:int}/nonaktif", p.disable_staff, (P.MANAGE_STAFF,),
                 post),
        Endpoint("/akun/totp", p.totp, (P.MANAGE_STAFF,), ("GET", "POST")),
    ]


def _int(text: str, default: int = 1) -> int:
    return int(text) if text.isdigit() and len(text) < 9 else default


def _download(data: bytes, name: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _redirect(path: str, message: str | None = None) -> Response:
    return RedirectResponse(PREFIX + path + (f"?pesan={message}" if message else ""),
                            status_code=303)


@dataclass
class BroadcastForm:
    """What the composer holds, to show it again with the preview or the refusal."""

    source: str = "katalog"
    reminder: str = IDS[0]
    language: str = "id"
    text: str = ""
    template: str = ""
    variables: str = ""
    units: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    when: str = "segera"
    at: str = ""
    days: list[str] = field(default_factory=list)
    clock: str = "09:00"
    zone: str = "WIB"
    start: str = ""
    end: str = ""
    canary: str = "0"


class Pages:
    def __init__(self, console: Console) -> None:
        self.c = console
        self.app = console.app
        self._posters: OrderedDict[tuple[str, ...], bytes] = OrderedDict()

    def t(self, key: str, **values: Any) -> str:
        return self.app.deps.catalog.text("id", key, **values)

    # Beranda ----------------------------------------------------------------------------------

    async def home(self, ctx: Ctx) -> Response:
        home = await ctx.data.home(self.c.channel_state)
        return self.c.ctx_page(ctx, "home.html", home=home, state_label=self._state_label,
                               schedule_of=_schedule_text)

    def _state_label(self, state: str) -> str:
        return self.t(f"broadcast.state_{state}")

    # Responden --------------------------------------------------------------------------------

    async def respondents(self, ctx: Ctx, **extra: Any) -> Response:
        q = ctx.request.query_params
        unit, text, page = q.get("unit", "")[:32], q.get("q", "")[:100], _int(q.get("hal", ""))
        units = await ctx.data.units()
        people: list[Any] = []
        total = 0
        if ctx.may(P.EXPORT):
            people, total = await ctx.data.people(unit, text, page)
        quality = await ctx.data.quality() if q.get("mutu") == "1" else None
        return self.c.ctx_page(ctx, "respondents.html", units=units, unit=unit, q=text,
                               page=page, people=people, total=total, quality=quality,
                               categories=CATEGORY_LABELS, **extra)

    async def upload(self, ctx: Ctx) -> Response:
        upload = ctx.form.get("berkas") if ctx.form is not None else None
        if upload is None or isinstance(upload, str) or not upload.filename:
            return await self.respondents(ctx, upload_error="Pilih berkas CSV atau Excel dulu.")
        data = await upload.read()
        options = ImportOptions({}, ctx.field("unit") or None,
                                ctx.field("kategori") or None, ctx.field("lembar") or None)
        try:
            planned = await ctx.data.plan_upload(ctx.member, upload.filename, data, options)
        except RespondentFileError as exc:
            planned = PlannedUpload(None, upload.filename, None, refused=str(exc))
        return self._report(ctx, planned)

    def _report(self, ctx: Ctx, planned: PlannedUpload) -> Response:
        plan = planned.plan
        kinds: dict[str, int] = {}
        if plan is not None:
            for (_unit, kind), n in plan.issue_counts().items():
                kinds[REASONS[kind]] = kinds.get(REASONS[kind], 0) + n
        problems = sorted(plan.problems, key=lambda p: p.line)[:200] if plan else []
        return self.c.ctx_page(ctx, "upload_report.html", planned=planned, plan=plan,
                               counts=plan.counts() if plan else None,
                               kinds=sorted(kinds.items(), key=lambda kv: -kv[1]),
                               problems=problems)

    async def upload_report(self, ctx: Ctx) -> Response:
        data = await ctx.data.report_csv(ctx.member, ctx.request.path_params["upload"])
        return _download(data, "laporan-impor.csv", "text/csv; charset=utf-8")

    async def upload_confirm(self, ctx: Ctx) -> Response:
        upload_id = ctx.request.path_params["upload"]
        try:
            result = await ctx.data.confirm_upload(ctx.member, upload_id,
                                                   skip_invalid=ctx.field("mode") == "valid")
        except RespondentFileError as exc:
            return self._report(ctx, PlannedUpload(None, "", None, refused=str(exc)))
        if result.already_imported is not None:
            return self._report(ctx, PlannedUpload(None, "", None,
                                                   already=result.already_imported))
        if result.batch_id is None:  # rows went bad since the report: show the new report
            return self._report(ctx, PlannedUpload(upload_id, result.plan.file_name
                                                   if result.plan else "", result.plan))
        counts = result.plan.counts() if result.plan else None
        return self.c.ctx_page(ctx, "upload_done.html", batch_id=result.batch_id,
                               counts=counts)

    async def upload_cancel(self, ctx: Ctx) -> Response:
        upload = await ctx.data.staged(ctx.member, ctx.request.path_params["upload"])
        await ctx.data.drop_upload(upload.id, cancelled_by=ctx.actor)
        return _redirect("/responden", "impor_batal")

    async def export(self, ctx: Ctx) -> Response:
        suffix = ".xlsx" if ctx.field("format") == "xlsx" else ".csv"
        unit = ctx.field("unit")[:32]
        data, _count, _left = await ctx.data.export(unit or None, suffix,
                                                    ctx.field("belum") == "1", ctx.actor)
        media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                 if suffix == ".xlsx" else "text/csv; charset=utf-8")
        return _download(data, f"responden-{unit.lower() or 'semua'}{suffix}", media)

    async def person(self, ctx: Ctx) -> Response:
        from core.clock import from_text  # noqa: PLC0415
        from inspectorate.retention import purge_day_of  # noqa: PLC0415

        record = await ctx.data.person(ctx.request.path_params["rid"], ctx.actor)
        row = record.respondent
        purge_on = purge_day_of(self.app.settings, from_text(row["created_at"]).date())
        return self.c.ctx_page(ctx, "person.html", record=record, row=row, purge_on=purge_on,
                               reasons=DELETE_REASONS, categories=CATEGORY_LABELS)

    async def erase(self, ctx: Ctx) -> Response:
        reason = ctx.field("alasan")
        rid = ctx.request.path_params["rid"]
        if reason not in DELETE_REASONS or ctx.field("yakin") != "ya":
            record = await ctx.data.person(rid, ctx.actor)
            return self.c.ctx_page(ctx, "person.html", record=record, row=record.respondent,
                                   purge_on=None, reasons=DELETE_REASONS,
                                   categories=CATEGORY_LABELS, status=400,
                                   error="Pilih alasan dan centang konfirmasi dulu.")
        await ctx.data.erase(rid, ctx.actor, reason)
        return _redirect("/responden", "hapus")

    # Unit dan poster ----------------------------------------------------------------------------

    async def units(self, ctx: Ctx, **extra: Any) -> Response:
        from inspectorate.posters import poster_channels  # noqa: PLC0415 - Pillow, segno

        channels = poster_channels(self.app.settings, await ctx.data.institution())
        return self.c.ctx_page(
            ctx, "units.html", units=await ctx.data.units(),
            posters_ready=bool(channels.whatsapp or channels.telegram), **extra)

    async def units_upload(self, ctx: Ctx) -> Response:
        from inspectorate.units_file import UnitFileError  # noqa: PLC0415

        upload = ctx.form.get("berkas") if ctx.form is not None else None
        if upload is None or isinstance(upload, str) or not upload.filename:
            return await self.units(ctx, error="Pilih berkas CSV unit dulu.")
        data = await upload.read(4 * 1024 * 1024 + 1)
        try:
            added, updated = await ctx.data.import_units(upload.filename, data, ctx.actor)
        except UnitFileError as exc:
            return await self.units(ctx, error=f"Berkas ditolak, tidak ada yang diubah: {exc}")
        self._posters.clear()
        return await self.units(ctx, done=f"{added} unit baru, {updated} diperbarui.")

    async def _poster(self, ctx: Ctx, code: str, size: str, kind: str) -> bytes:
        from inspectorate.links import unit_links  # noqa: PLC0415
        from inspectorate.posters import SIZES as POSTER_SIZES  # noqa: PLC0415
        from inspectorate.posters import poster_channels, render_poster  # noqa: PLC0415

        unit = await ctx.data.unit(code)
        channels = poster_channels(self.app.settings, await ctx.data.institution())
        if not (channels.whatsapp or channels.telegram):
            raise NotFound
        # the institution's name, contact and senders are in the key: a change draws anew
        key = (str(ctx.data.scope.institution_id), unit.code, unit.name, size, kind,
               channels.owner.name, channels.owner.phone, channels.owner.email,
               channels.whatsapp or "", channels.telegram or "")
        if key in self._posters:
            self._posters.move_to_end(key)
            return self._posters[key]
        catalog = self.app.deps.catalog

        def draw() -> bytes:
            poster_size = POSTER_SIZES[size]
            image = render_poster(unit, unit_links(channels.settings, unit.code), catalog,
                                  poster_size, whatsapp_number=channels.whatsapp,
                                  telegram_username=channels.telegram,
                                  institution=channels.owner)
            out = io.BytesIO()
            if kind == "preview":
                image.thumbnail((420, 1200))
                image.save(out, "PNG", optimize=True)
            elif kind == "pdf":
                image.save(out, "PDF", resolution=float(poster_size.dpi), quality=95)
            else:
                image.save(out, "PNG", dpi=(poster_size.dpi, poster_size.dpi))
            return out.getvalue()

        data = await asyncio.to_thread(draw)
        self._posters[key] = data
        while len(self._posters) > _POSTER_CACHE:
            self._posters.popitem(last=False)
        return data

    async def poster(self, ctx: Ctx) -> Response:
        code, file = ctx.request.path_params["code"], ctx.request.path_params["file"]
        if file == "pratinjau.png":
            data = await self._poster(ctx, code, "a4", "preview")
            return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})
        size, _, kind = file.partition(".")
        if size not in SIZES or kind not in ("png", "pdf"):
            raise NotFound
        data = await self._poster(ctx, code, size, kind)
        return _download(data, f"{code.upper()}-{size}.{kind}",
                         "application/pdf" if kind == "pdf" else "image/png")

    async def posters_zip(self, ctx: Ctx) -> Response:
        size = ctx.request.path_params["size"]
        if size not in SIZES:
            raise NotFound
        files = []
        for unit in await ctx.data.units():
            for kind in ("pdf", "png"):
                files.append((f"{unit.code}-{size}.{kind}",
                              await self._poster(ctx, unit.code, size, kind)))
        data = await asyncio.to_thread(zip_files, files)
        return _download(data, f"poster-{size}.zip", "application/zip")

    # Siaran -------------------------------------------------------------------------------------

    async def broadcasts(self, ctx: Ctx) -> Response:
        return self.c.ctx_page(ctx, "broadcasts.html", broadcasts=await ctx.data.broadcast_list(),
                               state_label=self._state_label, schedule_of=_schedule_text,
                               summary=summary)

    def _form(self, ctx: Ctx) -> BroadcastForm:
        if ctx.form is None:
            return BroadcastForm()
        return BroadcastForm(
            source=ctx.field("sumber", "katalog"), reminder=ctx.field("katalog", IDS[0]),
            language="en" if ctx.field("bahasa") == "en" else "id", text=ctx.field("teks"),
            template=ctx.field("templat"), variables=ctx.field("variabel"),
            units=ctx.fields("unit"), categories=ctx.fields("kategori"),
            channels=ctx.fields("kanal"), when=ctx.field("jadwal", "segera"),
            at=ctx.field("waktu"), days=ctx.fields("hari"), clock=ctx.field("jam", "09:00"),
            zone=ctx.field("zona", "WIB"), start=ctx.field("mulai"), end=ctx.field("sampai"),
            canary=ctx.field("uji", "0"))

    async def _request(self, ctx: Ctx, form: BroadcastForm) -> BroadcastRequest:
        """The form as the service's request; ValueError/ScheduleError say what is wrong."""
        from dataclasses import replace  # noqa: PLC0415

        from bot.channels.whatsapp.content import fetch_template_body  # noqa: PLC0415

        if form.source == "sendiri":
            if not ctx.may(P.BROADCAST_FREE_TEXT):
                await ctx.data.record(ctx.actor, "console.refused", "/siaran/baru",
                                      what="free_text")
                raise ValueError("Peran Anda hanya boleh memakai teks dari katalog.")
            text = form.text
        else:
            reminder = find(form.reminder)
            if reminder is None:
                raise ValueError("Pilih teks dari katalog.")
            text = self.app.deps.catalog.text(form.language, text_key(reminder))
        variables: dict[str, str] = {}
        for line in form.variables.splitlines():
            if line.strip():
                key, sep, value = line.partition("=")
                if not sep:
                    raise ValueError(f"Variabel '{line.strip()}' harus berbentuk N=NILAI.")
                variables[key.strip()] = value.strip()
        zone = parse_zone(form.zone if form.zone in ZONES else "WIB")
        if form.when == "sekali":
            if not form.at:
                raise ScheduleError("Isi tanggal dan jam pengiriman.")
            schedule = Schedule.once(form.at, zone)
        elif form.when == "berulang":
            days = [d for d in form.days if d in DAYS] or ["hari"]
            every = ("setiap hari" if days == ["hari"] or len(days) == 7
                     else ",".join(days)) + " " + form.clock
            schedule = Schedule.recurring(every, zone, form.start or None, form.end or None)
        else:
            schedule = Schedule.now(self.app.deps.clock.now(), zone)
        canary = form.canary.strip() or "0"
        if not canary.isdigit() or int(canary) > 100_000:
            raise ValueError("Uji coba: jumlah penerima pertama, angka 0 atau lebih.")
        units = tuple(u.upper() for u in form.units if u)
        audience = AudienceFilter(
            units=units, categories=tuple(c for c in form.categories if c in set(Category)),
            channels=tuple(c for c in form.channels if c in ("telegram", "whatsapp")))
        request = BroadcastRequest(text=text, audience=audience, schedule=schedule,
                                   template_sid=form.template or None,
                                   template_variables=variables, canary_size=int(canary))
        if request.template_sid is not None:
            body = await fetch_template_body(self.app.settings, request.template_sid)
            request = replace(request, template_body=body.text,
                              template_unreadable=body.problem)
        return request

    def _refusal(self, exc: BroadcastRefused) -> tuple[str, tuple[str, str] | None]:
        suggestion = exc.values.get("suggestion")
        nearest = None
        if isinstance(suggestion, str):
            nearest = (self.t(title_key(suggestion)), self.t(text_key(suggestion)))
        return refusal_text(self.t, exc), nearest

    async def _check(self, ctx: Ctx, form: BroadcastForm
                     ) -> tuple[BroadcastRequest | None, Preview | None, str | None,
                                tuple[str, str] | None]:
        try:
            request = await self._request(ctx, form)
            preview = await ctx.data.audience_counts(request)
        except (ValueError, ScheduleError) as exc:
            return None, None, str(exc), None
        except BroadcastRefused as exc:
            reason, nearest = self._refusal(exc)
            return None, None, reason, nearest
        return request, preview, None, None

    def _composer(self, ctx: Ctx, form: BroadcastForm, units: list[Any], **values: Any
                  ) -> Response:
        catalogue = [(rid, self.t(title_key(rid)), self.t(text_key(rid))) for rid in IDS]
        s = self.app.settings
        return self.c.ctx_page(
            ctx, "broadcast_new.html", form=form, units=units, catalogue=catalogue,
            categories=CATEGORY_LABELS, days=DAYS, day_labels=DAY_LABELS, zones=ZONES,
            quiet=f"{s.broadcast_quiet_start}–{s.broadcast_quiet_end}",
            local_time=local_time, **values)

    async def broadcast_new(self, ctx: Ctx) -> Response:
        form = self._form(ctx)
        units = await ctx.data.units()
        if ctx.request.method == "GET":
            return self._composer(ctx, form, units)
        request, preview, error, nearest = await self._check(ctx, form)
        if ctx.field("aksi") != "buat" or request is None:
            return self._composer(ctx, form, units, preview=preview, error=error,
                                  nearest=nearest, checked=True)
        try:
            broadcast = await ctx.data.create_broadcast(request, ctx.actor)
        except BroadcastRefused as exc:
            error, nearest = self._refusal(exc)
            return self._composer(ctx, form, units, error=error, nearest=nearest, checked=True)
        return _redirect(f"/siaran/{broadcast.id}", "siaran")

    async def broadcast_preview(self, ctx: Ctx) -> Response:
        """The live check (htmx): counts per channel and the sample, or the refusal."""
        form = self._form(ctx)
        _, preview, error, nearest = await self._check(ctx, form)
        html = self.c.render("_preview.html", preview=preview, error=error, nearest=nearest,
                             form=form, local_time=local_time)
        return Response(html, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})

    async def broadcast(self, ctx: Ctx) -> Response:
        view = await ctx.data.broadcast(ctx.request.path_params["bid"])
        return self.c.ctx_page(ctx, "broadcast.html", view=view, b=view.broadcast,
                               state_label=self._state_label, schedule_of=_schedule_text,
                               audience=AudienceFilter.from_json(view.broadcast.audience)
                               .describe(), local_time=local_time, t=self.t,
                               alert_text=self._alert_text)

    async def broadcast_progress(self, ctx: Ctx) -> Response:
        view = await ctx.data.broadcast(ctx.request.path_params["bid"])
        html = self.c.render("_progress.html", view=view, b=view.broadcast, csrf=ctx.session
                             .form_token, local_time=local_time, t=self.t,
                             state_label=self._state_label, alert_text=self._alert_text)
        return Response(html, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})

    def _alert_text(self, entry: Any) -> str:
        key = str(entry.detail.get("alert", ""))
        values = {k: v for k, v in entry.detail.items() if k != "alert"}
        try:
            return self.t(key, **values)
        except (KeyError, ValueError):
            return key

    async def broadcast_control(self, ctx: Ctx) -> Response:
        bid, action = ctx.request.path_params["bid"], ctx.request.path_params["action"]
        actions = {"jeda": "pause", "lanjut": "resume", "batal": "cancel"}
        if action not in actions:
            raise NotFound
        try:
            await ctx.data.control(bid, actions[action], ctx.actor)
        except BroadcastRefused as exc:
            view = await ctx.data.broadcast(bid)
            return self.c.ctx_page(ctx, "broadcast.html", view=view, b=view.broadcast,
                                   state_label=self._state_label, schedule_of=_schedule_text,
                                   audience=AudienceFilter.from_json(view.broadcast.audience)
                                   .describe(), local_time=local_time, t=self.t,
                                   alert_text=self._alert_text, status=409,
                                   error=refusal_text(self.t, exc))
        return _redirect(f"/siaran/{bid}", action)

    # Statistik ----------------------------------------------------------------------------------

    async def stats(self, ctx: Ctx) -> Response:
        sections = [_last_days(s) if s.key == "registrations_by_day" else s
                    for s in await ctx.data.sections()]
        return self.c.ctx_page(ctx, "stats.html", sections=sections, verdicts=VERDICT_LABELS)

    async def stats_csv(self, ctx: Ctx) -> Response:
        rows = await ctx.data.stats_csv()
        out = io.StringIO()
        out.write("\ufeff")
        csv.writer(out).writerows(rows)
        await ctx.data.record(ctx.actor, "stats.downloaded", None, via="console")
        return _download(out.getvalue().encode("utf-8"), "statistik-spi.csv",
                         "text/csv; charset=utf-8")

    async def stats_chart(self, ctx: Ctx) -> Response:
        return Response(await ctx.data.chart(), media_type="image/png",
                        headers={"Cache-Control": "no-store"})

    # Audit --------------------------------------------------------------------------------------

    async def audit(self, ctx: Ctx) -> Response:
        q = ctx.request.query_params
        day = q.get("tanggal", "")[:10]
        wanted = AuditFilter(actor=q.get("pelaku", "")[:64], action=q.get("aksi", "")[:64],
                             day=day if len(day) == 10 and day[4] == "-" else "",
                             page=_int(q.get("hal", "")))
        entries, more = await ctx.data.audit(wanted)
        return self.c.ctx_page(ctx, "audit.html", entries=entries, more=more, wanted=wanted)

    # Akun ---------------------------------------------------------------------------------------

    async def account(self, ctx: Ctx, **extra: Any) -> Response:
        sessions, staff = await ctx.data.account_view(ctx.member,
                                                      ctx.may(P.MANAGE_STAFF))
        return self.c.ctx_page(ctx, "account.html", sessions=sessions, staff=staff,
                               current=ctx.session.id, **extra)

    async def change_password(self, ctx: Ctx) -> Response:
        old, new, confirm = ctx.field("lama"), ctx.field("baru"), ctx.field("ulang")
        problem = await ctx.data.change_password(ctx.member, ctx.session.id, old, new, confirm)
        if problem:
            return await self.account(ctx, error=problem, status=400)
        return _redirect("/akun", "sandi_ganti")

    async def revoke_session(self, ctx: Ctx) -> Response:
        await ctx.data.revoke_session(ctx.member, ctx.request.path_params["sid"],
                                      ctx.may(P.MANAGE_STAFF))
        return _redirect("/akun", "sesi")

    async def add_staff(self, ctx: Ctx) -> Response:
        from bot.commands.staff import set_password_url  # noqa: PLC0415

        role = ctx.field("peran")
        if role not in (StaffRole.OPERATOR, StaffRole.ADMIN):
            return await self.account(ctx, error="Pilih peran operator atau admin.", status=400)
        result = await ctx.data.add_staff(ctx.member, ctx.field("nama_pengguna").lower(),
                                          ctx.field("nama"), StaffRole(role))
        if isinstance(result, str) and not result.startswith("token:"):
            return await self.account(ctx, error=result, status=400)
        link = set_password_url(self.app.settings, result.removeprefix("token:"))
        return await self.account(ctx, link=link)

    async def end_sessions(self, ctx: Ctx) -> Response:
        await ctx.data.end_staff_sessions(ctx.member, ctx.request.path_params["staff"])
        return _redirect("/akun", "sesi")

    async def disable_staff(self, ctx: Ctx) -> Response:
        await ctx.data.disable_staff(ctx.member, ctx.request.path_params["staff"])
        return _redirect("/akun", "nonaktif")

    async def totp(self, ctx: Ctx) -> Response:
        """Turn the second factor on (scan, then type a code) or off (with the password)."""
        if ctx.request.method == "GET":
            secret = auth.new_totp_secret()
            return self._totp_page(ctx, secret)
        if ctx.field("aksi") == "matikan":
            problem = await ctx.data.set_totp(ctx.member, None, ctx.field("sandi"))
            if problem:
                return await self.account(ctx, error=problem, status=400)
            return _redirect("/akun", "totp_off")
        secret = ctx.field("rahasia")
        if not secret or len(secret) > 64 or not secret.isalnum():
            raise NotFound
        problem = await ctx.data.set_totp(ctx.member, secret, ctx.field("kode"))
        if problem:
            return self._totp_page(ctx, secret, error=problem)
        return _redirect("/akun", "totp_on")

    def _totp_page(self, ctx: Ctx, secret: str, error: str | None = None) -> Response:
        import base64  # noqa: PLC0415

        import segno  # noqa: PLC0415

        uri = auth.totp_uri(secret, ctx.member.username)
        buffer = io.BytesIO()
        segno.make(uri, error="m").save(buffer, kind="png", scale=5, border=2)
        image = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
        return self.c.ctx_page(ctx, "totp.html", secret=secret, image=image, error=error,
                               status=400 if error else 200)


def _last_days(section: Section, days: int = 31) -> Section:
    """Registrations per day on the page: all units together, the last month (the CSV and the
    chart keep every day per unit)."""
    totals: dict[str, int] = {}
    for day, _unit, count in section.rows:
        totals[str(day)] = totals.get(str(day), 0) + int(str(count))
    rows: list[tuple[object, ...]] = [(day, totals[day]) for day in sorted(totals)[-days:]]
    return Section(section.key, f"{section.title} (semua unit, {days} hari terakhir; rincian "
                                "per unit di CSV)", ("Tanggal", "Jumlah"), rows)


def _schedule_text(b: Any) -> str:
    from outreach.firing import schedule_of  # noqa: PLC0415

    return schedule_of(b).describe()
