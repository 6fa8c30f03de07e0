"""Inputs that are NOT administrative documents, for the document gate (tests and bench/gate.py).

`build_non_documents(folder)` writes them and returns their names. Text files are cheap; the
images and the PDF go through OCR, so `with_scans=False` leaves them out for the fast tests.
"""

from __future__ import annotations

import io
from pathlib import Path

TEXTS: dict[str, str] = {
    "README.md": """# sohoa-tools

Small helpers for the archive team. Install with `pip install -e .` and run `make test`.

## Usage

Run the converter on a folder of scans and open the results in your browser. The tool writes
one JSON file per input and a summary at the end. See CONTRIBUTING.md before sending a patch.
""",
    "README.txt": """README

This folder holds the scans received from the provincial office in June. Do not rename the
files: the names are the registry numbers. Questions to the archive desk, extension 214.
""",
    "data.csv": """province,population,area_km2,region
Kiên Giang,1723067,6348.8,Đồng bằng sông Cửu Long
Bình Phước,994679,6877.0,Đông Nam Bộ
Sơn La,1248415,14123.5,Trung du và miền núi phía Bắc
Lâm Đồng,1296906,9783.2,Tây Nguyên
Nghệ An,3327791,16486.5,Bắc Trung Bộ
""",
    "build.log": """[2024-06-20 10:14:03] INFO  starting build 1432 on runner ci-3
[2024-06-20 10:14:05] INFO  resolving dependencies (42 packages)
[2024-06-20 10:14:31] WARN  cache miss for wheel numpy-1.26.4
[2024-06-20 10:15:02] ERROR test_archive.py::test_export failed: AssertionError
[2024-06-20 10:15:02] INFO  build finished with status 1 in 59.2 s
""",
    "convert.py": """import sys
from pathlib import Path


def main(argv):
    for name in argv[1:]:
        text = Path(name).read_text(encoding="utf-8")
        print(name, len(text.split()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
""",
    "english_news.txt": """City council approves new flood defences

The city council voted on Tuesday to fund a new set of flood barriers along the river, after
two winters of record water levels. The plan, which will cost an estimated 40 million dollars,
includes pumping stations and a warning system for residents. Work is expected to begin next
spring and to last three years, the mayor said at a press conference.
""",
    "french_news.txt": """Le conseil municipal adopte un plan contre les inondations

Le conseil municipal a voté mardi le financement de nouvelles digues le long du fleuve, après
deux hivers de crues record. Le projet, d'un coût estimé à 40 millions d'euros, comprend des
stations de pompage et un système d'alerte pour les habitants. Les travaux commenceront au
printemps prochain et dureront trois ans, a indiqué le maire lors d'une conférence de presse.
""",
    "tin_tuc.txt": """Kiên Giang đẩy mạnh chuyển đổi số trong cơ quan nhà nước

Ngày 20 tháng 6 năm 2021, tại thành phố Rạch Giá, lãnh đạo tỉnh đã làm việc với các sở,
ngành về tiến độ chuyển đổi số. Theo báo cáo, hơn 80% hồ sơ hành chính đã được tiếp nhận
trực tuyến. Người dân cho biết thủ tục nhanh hơn trước nhiều, không phải đi lại nhiều lần.
Thời gian tới, tỉnh sẽ tiếp tục đầu tư hạ tầng mạng và đào tạo cán bộ để phục vụ tốt hơn.
""",
    "tin_chi_dao.txt": """TỈNH KIÊN GIANG TRIỂN KHAI CHỈ THỊ VỀ TUYÊN TRUYỀN

(Báo Kiên Giang) - Chiều 20/6, Ủy ban nhân dân tỉnh tổ chức hội nghị triển khai Chỉ thị số
07-CT/TU ngày 04-6-2021 của Ban Thường vụ Tỉnh ủy. Phát biểu tại hội nghị, Phó Chủ tịch
UBND tỉnh đề nghị các sở, ngành quan tâm hơn nữa công tác tuyên truyền trên địa bàn.
Theo kế hoạch, đến cuối năm 2021 toàn tỉnh sẽ có thêm 50 điểm truy cập internet công cộng.
""",
    "truyen_ngan.txt": """Mùa nước nổi

Chiều hôm ấy, nước lên mênh mông khắp cánh đồng. Ông Tư chống xuồng ra giữa ruộng, thả lưới
rồi ngồi hút thuốc, nhìn đàn cò trắng bay về phía rặng tràm. Ở nhà, bà Tư nấu nồi canh chua
cá linh với bông điên điển, mùi thơm bay ra tận bến sông. Bọn trẻ con reo hò chạy dọc bờ đê.
""",
    "ghi_chu.txt": """Ghi chú họp nhóm thứ Hai

- Anh Minh gửi lại bản nháp trước thứ Tư.
- Chị Lan kiểm tra số liệu của quý hai, nhất là phần chi phí đi lại.
- Cả nhóm thống nhất đổi lịch họp sang chiều thứ Năm hàng tuần.
- Nhớ đặt phòng họp tầng ba và mang theo máy chiếu.
""",
"danh_muc.txt": """DANH MỤC VĂN BẢN ĐẾN THÁNG 6/2021
STT Số, ký hiệu Ngày Trích yếu
1 46-KH/BTGTU 08/6/2021 Kế hoạch tuyên truyền
2 07-CT/TU 04/6/2021 Chỉ thị về công tác tuyên truyền
3 262-KH/TU 16/12/2024 Kế hoạch tuyên truyền chủ đề lớn
4 17-CTr/TU 30/9/2021 Chương trình hành động
""",
"thu_dien_tu.txt": """Chào anh Minh,

Em gửi anh bản scan công văn hôm trước, anh xem giúp em phần số liệu ở trang hai nhé.
Nếu cần sửa thì anh nhắn em trước chiều thứ Sáu để em kịp trình lãnh đạo ký.

Cảm ơn anh,
Lan
""",
"giao_trinh.txt": """Chương 2. Văn bản quản lý nhà nước

Văn bản quản lý nhà nước là phương tiện quan trọng để các cơ quan truyền đạt quyết định.
Theo quy định hiện hành, thể thức văn bản gồm quốc hiệu, tên cơ quan ban hành, số và ký hiệu,
địa danh và ngày tháng, tên loại và trích yếu, nội dung, chữ ký và nơi nhận. Sinh viên cần
nắm vững các thành phần này để soạn thảo văn bản đúng quy định.
""",
    "config.json": """{"name": "scanner-3", "dpi": 300, "colour": true, "output": "/srv/scans",
 "profiles": [{"id": 1, "label": "default"}, {"id": 2, "label": "photo"}]}
""",
}

POSTER_EN = ["SUMMER BOOK FAIR", "Central Library, 12-14 July", "Children's corner, used books,",
             "author talks every afternoon.", "Free entry for everyone."]
POSTER_VI = ["HỘI CHỢ SÁCH MÙA HÈ", "Thư viện tỉnh, từ ngày 12 đến 14 tháng 7",
             "Góc thiếu nhi, sách cũ giá rẻ,", "giao lưu với tác giả mỗi buổi chiều.",
             "Vào cửa tự do cho mọi người."]


def _font(size: int):
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def text_image(lines: list[str], width: int = 1700, line_height: int = 70):
    """A white page at 300 dpi with `lines` printed on it."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (width, line_height * (len(lines) + 2)), 255)
    draw = ImageDraw.Draw(img)
    font = _font(44)
    for i, line in enumerate(lines):
        draw.text((80, line_height * (i + 1)), line, fill=0, font=font)
    return img


def blank_pdf() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def build_non_documents(folder: Path, *, with_scans: bool = True) -> list[str]:
    """Write the non-documents into `folder`; returns their file names."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    names = list(TEXTS)
    if with_scans:
        text_image(POSTER_EN).save(folder / "poster_en.png", dpi=(300, 300))
        text_image(POSTER_VI).save(folder / "poster_vi.png", dpi=(300, 300))
        text_image(POSTER_EN[:3]).convert("RGB").save(folder / "flyer.pdf", "PDF", resolution=300)
        (folder / "blank.pdf").write_bytes(blank_pdf())
        names += ["poster_en.png", "poster_vi.png", "flyer.pdf", "blank.pdf"]
    return names
