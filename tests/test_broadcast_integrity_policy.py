"""The broadcast integrity check by policy: normalised spellings (regional words, digits for
letters, words without vowels), asks made on condition of having taken part, groups named by
participation, asks split over sentences, coaching either way, monitoring and threats in any
words; and warnings against all of these still allowed. Through the front door (`spi-bot
broadcast check-text`, `spi-bot broadcast create`) and on the tuning examples."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from bot.app import App
from core.settings import Settings
from core.wording import words
from outreach.integrity import _normaliser, check_text
from tests.support.broadcast_acts import generate
from tests.support.cli import run_cli
from tests.support.outreach import add_person, rows

DATA = Path(__file__).parent / "data"

# Texts written for these tests (not taken from any held-out set), one per new category.
REFUSED = [
    # regional and colloquial forms
    ("Sopo wae sing wis oleh link SPI? kabari aku yo", "receipt"),
    ("Nu geus meunang WA ti KPK, mangga lapor ka kasubag", "receipt"),
    ("Kalo so dapa pesan dari KPK, kase tau jo pa torang", "receipt"),
    # digits for letters, words without vowels, "-in" endings
    ("yg udh 1s1 survei spi l4por ke 4dmin", "receipt"),
    ("mhn krm bkti isi srvei ke grup", "proof"),
    ("kl udh dpt link spi kbrin sy ya", "receipt"),
    # an act asked on condition of having taken part
    ("Once the KPK survey is done, mark your name on the whiteboard.", "receipt"),
    ("Setelah isi survei SPI, langsung WA saya ya.", "receipt"),
    # a group named by participation, then anything asked of them
    ("Yg ketiban sampel SPI, kumpul di ruang kasubag jam 9", "receipt"),
    ("Penerima link survei KPK, silakan colek admin.", "receipt"),
    # a participation question followed by an ask for more than filling in
    ("Link survei KPK sudah diterima semua? Mohon tanggapannya.", "receipt"),
    # coaching either way, tied to the office or its score
    ("Dimohon tidak memberikan jawaban yang merugikan instansi dalam survei SPI.", "rating"),
    ("Agar WBK tercapai, pastikan tidak ada jawaban negatif di survei KPK.", "rating"),
    # the office's own questionnaire first
    ("Before the real SPI, please complete our internal test version of the questionnaire.",
     "form_first"),
    # participation watched or rewarded
    ("Dashboard pengisian SPI per unit sudah bisa dilihat di intranet.", "monitoring"),
    ("Bidang yang pegawainya paling banyak mengisi SPI akan diberi penghargaan.",
     "monitoring"),
    # an authority's demand stated as fact
    ("Pimpinan meminta laporan harian siapa saja yang sudah mengisi SPI.", "receipt"),
    # consequences for not taking part, whatever the words
    ("Yang tidak ikut survei SPI akan kena SP", "threat"),
    ("If you don't complete the SPI survey your leave requests will be put on hold.", "threat"),
    ("Tidak isi SPI = tidak loyal.", "threat"),
    # a duty split from its ask
    ("Isi survei SPI hari ini. Ini perintah langsung Bupati.", "threat"),
]

ALLOWED = [
    "Kami tidak akan menanyakan apakah Anda sudah menerima, mengisi, atau terpilih dalam "
    "survei SPI.",
    "Aturan KPK jelas: instansi dilarang meminta pegawai melaporkan penerimaan undangan.",
    "Tidak ada target skor yang harus dicapai melalui jawaban Anda.",
    "Tidak ada rapat, apel, atau sesi bersama untuk mengisi survei SPI. Silakan isi sendiri "
    "bila Anda menerima undangan.",
    "Survei SPI tidak ada kaitannya dengan penilaian kinerja, cuti, atau kenaikan pangkat.",
    "Ada yang bilang harus share link SPI di grup? Tidak benar, jangan lakukan.",
    "Jika Anda dihubungi pewawancara KPK, Anda boleh meminta surat tugasnya.",
    "Dengan hormat, kami sampaikan bahwa survei SPI bersifat sukarela. Tidak ada kewajiban "
    "melapor kepada siapa pun.",
    "Ada pertanyaan? Balas pesan ini, tim kami akan membantu. Jika Anda menerima undangan "
    "survei, isilah sesuai pengalaman Anda sendiri.",
    "Ora usah lapor nek wis ngisi survei SPI, iku rahasia.",
    "Rekan2, pesan SPI yg asli dr akun centang biru SPI by KPK. Jgn klik link lain.",
    "Jangan kirimkan jawaban survei Anda kepada siapa pun",
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_forbidden_asks_are_refused_in_any_words(text: str, reason: str) -> None:
    assert reason in check_text(text).reasons, check_text(text)


@pytest.mark.parametrize("text", ALLOWED)
def test_warnings_and_guidance_pass(text: str) -> None:
    assert check_text(text).allowed, check_text(text)


def test_spellings_are_normalised_only_when_unknown() -> None:
    normalise = _normaliser()
    assert normalise(words("yg udh 1si l4por ke 4dmin")) == [
        "yang", "sudah", "isi", "lapor", "ke", "admin"]
    assert normalise(words("dkirim undgn hlmn fotoin diforward")) == [
        "dikirim", "undangan", "halaman", "fotokan", "forward"]
    assert normalise(words("sampun angsal, tos nampi, so dapa")) == [
        "sudah", "dapat", ",", "sudah", "terima", ",", "sudah", "dapat"]
    # Standard words stay as they are.
    assert normalise(words("survei ini sukarela dan rahasia")) == [
        "survei", "ini", "sukarela", "dan", "rahasia"]


def rates(path: Path) -> tuple[float, float]:
    texts = tomllib.loads(path.read_text("utf-8"))["text"]
    forbidden = [t["text"] for t in texts if t["label"] == "forbidden"]
    harmless = [t["text"] for t in texts if t["label"] == "harmless"]
    return (sum(not check_text(t).allowed for t in forbidden) / len(forbidden),
            sum(check_text(t).allowed for t in harmless) / len(harmless))


def test_tuning_examples() -> None:
    refused, allowed = rates(DATA / "integrity_tune.toml")
    assert refused >= 0.98
    assert allowed >= 0.98


# Measured only, never tuned on: the floor keeps it from sliding back (figures in
# docs/benchmarks.md). Branch integrity4 moved it from 207/223 refused and 117/122 allowed to
# 215/223 and 120/122 without reading its texts.
def test_held_out_dev2_does_not_slide_back() -> None:
    refused, allowed = rates(DATA / "integrity_dev2.toml")
    assert refused >= 0.96
    assert allowed >= 0.98


# Branch integrity4's sets: dev3 written persona by persona before any change (181/194 and
# 134/141 at first), tune4, tune5 and tune6 written later in harder styles (63/89, 33/42 and
# 25/35 refused at first); all tuned on since.
@pytest.mark.parametrize("name", ["broadcast_dev3.toml", "broadcast_tune4.toml",
                                  "broadcast_tune5.toml", "broadcast_tune6.toml"])
def test_integrity4_sets(name: str) -> None:
    refused, allowed = rates(DATA / name)
    assert refused >= 0.98
    assert allowed >= 0.98


def test_acts_in_generated_wordings() -> None:
    """Every forbidden act in many generated wordings (verb forms, noun forms, passives, chat
    spellings, English, either order, split sentences, greetings, placeholders), and the
    same acts promised away or warned against."""
    texts = generate(7, 600, 400)
    forbidden = [g.text for g in texts if g.label == "forbidden"]
    harmless = [g.text for g in texts if g.label == "harmless"]
    missed = [t for t in forbidden if check_text(t).allowed]
    refused = [t for t in harmless if not check_text(t).allowed]
    assert len(missed) <= len(forbidden) // 100, missed[:10]
    assert len(refused) <= len(harmless) // 100, refused[:10]


# Through the front door ------------------------------------------------------------------

async def test_check_text_batch_reports_new_categories(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    batch = tmp_path / "texts.txt"
    batch.write_text("\n".join([text for text, _ in REFUSED] + ALLOWED) + "\n", "utf-8")
    result = await run_cli(monkeypatch, settings, "broadcast", "check-text", "--json",
                           "--batch", str(batch))
    assert result.code == 0
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [set(x) for x in lines] == [{"text", "verdict", "reasons"}] * len(lines)
    refused, allowed = lines[:len(REFUSED)], lines[len(REFUSED):]
    assert all(x["verdict"] == "refused" and reason in x["reasons"]
               for x, (_, reason) in zip(refused, REFUSED, strict=True)), refused
    assert all(x["verdict"] == "allowed" and x["reasons"] == [] for x in allowed), allowed


async def test_check_text_single_regional_text(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Sopo wae sing wis oleh link SPI? kabari aku yo"
    result = await run_cli(monkeypatch, settings, "broadcast", "check-text", text)
    assert json.loads(result.out) == {"text": text, "verdict": "refused",
                                      "reasons": ["receipt"]}


@pytest.mark.parametrize("text", [
    "Yg ketiban sampel SPI, kumpul di ruang kasubag jam 9",
    "Link survei KPK sudah diterima semua? Mohon tanggapannya.",
    "Dimohon tidak memberikan jawaban yang merugikan instansi dalam survei SPI.",
    "Tidak isi SPI = tidak loyal.",
])
async def test_cli_cannot_create_a_broadcast_with_a_new_category_text(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    await add_person(app, "Siti", address="1")
    result = await run_cli(monkeypatch, settings, "broadcast", "create", "--text", text,
                           "--channel", "telegram", "--yes", "--force")
    assert result.code == 1
    assert result.out.startswith("Siaran tidak dibuat: Teks ditolak:")
    assert await rows(app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]


async def test_cli_creates_a_broadcast_that_warns_against_the_forbidden(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_person(app, "Siti", address="1")
    text = ("Halo {nama}, kami tidak akan menanyakan apakah Anda sudah menerima atau mengisi "
            "survei SPI. Jangan kirimkan jawaban survei Anda kepada siapa pun.")
    result = await run_cli(monkeypatch, settings, "broadcast", "create", "--text", text,
                           "--channel", "telegram", "--yes")
    assert result.code == 0, result.out
    assert await rows(app, "SELECT COUNT(*) FROM broadcasts") == [(1,)]


# Branch integrity5: frames beyond the dev sets' words (tuned on texts written after
# broadcast_dev5.toml was frozen; dev5 itself is measured only).
@pytest.mark.parametrize("text", [
    "Please reply to this message if the KPK survey invite has reached you.",
    "If you were contacted for the integrity survey, please register at the front desk.",
    "Sampun nampi link SPI? Mangga laporan dhateng Kasubag.",
    "Konfirmasi keikutsertaan survei SPI dikirim ke email kepegawaian.",
    "Dokumentasikan pengisian survei Anda dan serahkan ke Kasi.",
])
def test_frames_refuse_paraphrases(text: str) -> None:
    assert not check_text(text).allowed


@pytest.mark.parametrize("text", [
    "Mohon kesediaan Saudara mengisi survei integritas sebelum 31 Oktober.",
    "Mohon kiranya Bapak/Ibu berkenan meluangkan waktu 15 menit untuk survei KPK.",
    "Bila link survei belum diterima, tidak perlu melapor; responden dipilih acak.",
    "Sehubungan dengan SPI 2026, Inspektorat mengimbau pegawai yang menerima undangan agar "
    "mengisinya secara mandiri.",
    "Kami mengajak Bapak/Ibu berpartisipasi dalam survei bila terpilih. Terima kasih.",
    "Terima kasih atas partisipasi dan kerja samanya dalam SPI.",
    "Pastikan Anda mengisi survei hingga halaman terakhir dan menekan tombol kirim.",
    "Pengguna layanan yang ingin ikut SPI dapat mendaftar lewat QR di loket.",
])
def test_genuine_invitation_wording_passes(text: str) -> None:
    assert check_text(text).allowed
