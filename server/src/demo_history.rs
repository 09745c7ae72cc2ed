//! A year of the demo office's past hearings and what followed them (#10), so
//! that the statistics dashboard has something real to count: hearings per
//! month, 化解率, 评议后未重复信访率, 满意率, cases by risk colour and class,
//! overdue follow-up visits and how often each panel member served.
//!
//! These hearings are **history imported from the office's previous system**:
//! the case, the plan, the seated panel and the aftercare (outcome, commitment,
//! follow-up visits, satisfaction, repeat petitions) are written as rows, with
//! no hearing event log (their record lives in the old system's paper files),
//! no draw record and no minutes in the archive.
//!
//! The arithmetic behind the numbers, for the dashboard's default period (the
//! last twelve months, this one included):
//!
//! - Haining's figure (../shared/DOMAIN.md) is 34 reviewed cases, 32 not
//!   petitioned again → 32 / 34 = 94.12%. This history holds 32 hearings
//!   ([`HEARINGS`]), all inside the period, and 2 of them are followed by a
//!   repeat petition (2 new cases, each linked to a different history hearing).
//! - The demo of `demo.rs` adds one held hearing of its own (107号, opened
//!   when the demo is loaded: a hearing counts once its log shows it opened);
//!   131号 is today's, still to come, and two more are planned. So 33 reviewed,
//!   31 not repeated → "93.94%".
//! - Outcomes: 30 of the 32 (the 2 most recent still wait for theirs): 24
//!   resolved, 4 unresolved, 2 closed by procedure → 化解率 24 / 30 = "80.00%"
//!   (the demo's own held one has no outcome and is left out of the denominator).
//! - Satisfaction: one rating per history hearing, 32 in all: 25 满意, 6 基本满意,
//!   1 不满意 → 满意率 31 / 32 = "96.88%" (Weifang's 96.9%).
//! - Follow-up visits 30 and 90 days after each decision: those already due are
//!   done, except 3 left overdue ([`OVERDUE_RANKS`]); the later ones are pending.
//!
//! Everything is computed from today's date (Beijing time) by arithmetic and
//! the sortition's own deterministic draw, so the demo is the same every time
//! relative to today.

use app::db::{Db, new_id};
use app::domain::case::{CalendarDate, CaseStatus, Coded, ProgressClass, RiskColour};
use app::domain::clock::CHINA_OFFSET_SECONDS;
use app::domain::schedule::{HearingKind, HearingPlan};
use app::domain::stats::{Resolution, Satisfaction, YearMonth};
use app::model::Changer;
use sqlx::Row;

/// History hearings (beside the demo's own held one, 107号).
pub const HEARINGS: usize = 32;

/// Days before today the most recent history hearing may be held at the latest.
const MIN_DAYS_AGO: i64 = 35;

/// Of the follow-up visits due more than ten days ago, newest first, these ranks
/// were never made (3 overdue visits on the dashboard).
const OVERDUE_RANKS: [usize; 3] = [1, 4, 9];

/// Who recorded the imported history.
const IMPORTER: &str = "原信访信息系统（历史数据导入）";

use app::domain::case::ProgressClass::{A, B, C};
use app::domain::case::RiskColour::{Green as G, Red as R, Yellow as Y};

/// One past case, in the order its hearing was held.
struct Past {
    title: &'static str,
    category: &'static str,
    district: &'static str,
    petitioners: &'static [&'static str],
    agencies: &'static [&'static str],
    summary: &'static str,
    risk: RiskColour,
    class: ProgressClass,
    /// `None`: no handling decision recorded yet.
    resolution: Option<Resolution>,
    /// 处理决定 (empty when no outcome yet).
    decision: &'static str,
    /// The agency's side of the two-way commitment (resolved cases only).
    agency_commitment: &'static str,
    rating: Satisfaction,
}

use app::domain::stats::Resolution::{Procedural as Pro, Resolved as Res, Unresolved as Unr};
use app::domain::stats::Satisfaction::{
    Dissatisfied as Bad, FairlySatisfied as Fair, Satisfied as Good,
};

const PAST: [Past; HEARINGS] = [
    Past {
        title: "集体土地征收青苗补偿争议",
        category: "征地拆迁",
        district: "许村镇",
        petitioners: &["徐金根"],
        agencies: &["海宁市自然资源和规划局", "许村镇人民政府"],
        summary: "信访人反映其承包地被征收时青苗及附属设施补偿未按实际种植面积核算，要求重新丈量并补足补偿款。",
        risk: R,
        class: A,
        resolution: Some(Res),
        decision: "经听证评议，责任单位组织重新丈量，按实测面积补足青苗及附属设施补偿款4,860元，信访人表示认可。",
        agency_commitment: "许村镇人民政府于十五个工作日内支付补偿款差额，并书面告知核算依据。",
        rating: Good,
    },
    Past {
        title: "工伤职工停工留薪期工资争议",
        category: "劳动社保",
        district: "长安镇",
        petitioners: &["杨春花"],
        agencies: &["海宁市人力资源和社会保障局"],
        summary: "信访人在长安镇某纺织企业工作时受伤，已认定工伤，反映企业未支付停工留薪期工资，要求督促支付。",
        risk: Y,
        class: B,
        resolution: Some(Res),
        decision: "责任单位依法督促用人单位支付停工留薪期工资共计21,300元，用人单位已于十日内支付到位。",
        agency_commitment: "海宁市人力资源和社会保障局督促用人单位于十日内足额支付，并跟踪落实情况。",
        rating: Good,
    },
    Past {
        title: "小区公共收益分配不透明",
        category: "物业纠纷",
        district: "海洲街道",
        petitioners: &["马丽娟", "丁建国"],
        agencies: &["海宁市住房和城乡建设局", "海洲街道办事处"],
        summary: "信访人反映小区电梯广告、停车位等公共收益多年未公示，要求物业公司公开账目并将收益归入维修资金。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位责成物业公司公示近三年公共收益明细，经业主大会表决后将结余收益转入专项维修资金。",
        agency_commitment: "海洲街道办事处督促物业公司于三十日内公示收支明细，并指导召开业主大会。",
        rating: Good,
    },
    Past {
        title: "术后感染医疗费用承担争议",
        category: "医疗纠纷",
        district: "硖石街道",
        petitioners: &["郑国平"],
        agencies: &["海宁市卫生健康局"],
        summary: "信访人母亲在某医院行髋关节置换术后出现感染，信访人认为医院存在过错，要求承担后续治疗费用。",
        risk: R,
        class: B,
        resolution: Some(Res),
        decision: "经评议，建议双方通过医疗纠纷人民调解委员会调解；经调解，医院一次性补偿后续治疗费用3.2万元，双方签订调解协议。",
        agency_commitment: "海宁市卫生健康局督促医院于调解协议签订后十五日内履行补偿义务。",
        rating: Good,
    },
    Past {
        title: "土地承包经营权流转租金争议",
        category: "农村土地承包",
        district: "周王庙镇",
        petitioners: &["朱荣发"],
        agencies: &["海宁市农业农村局", "周王庙镇人民政府"],
        summary: "信访人反映村集体统一流转其承包地后，租金低于周边水平且未按约逐年递增，要求调整租金并补发差额。",
        risk: Y,
        class: B,
        resolution: Some(Unr),
        decision: "经听证评议，评议团多数意见认为流转合同约定的租金标准合法有效，补发差额的诉求缺乏依据；责任单位已向信访人释明合同条款，信访人不予认可。",
        agency_commitment: "",
        rating: Fair,
    },
    Past {
        title: "装修工程农民工劳务费拖欠",
        category: "拖欠工资",
        district: "马桥街道",
        petitioners: &["石小龙", "石小虎"],
        agencies: &["海宁市人力资源和社会保障局", "马桥街道办事处"],
        summary: "信访人等十一名工人在马桥街道某商业综合体装修工程中务工，劳务分包单位拖欠劳务费16.8万元，要求督促支付。",
        risk: R,
        class: A,
        resolution: Some(Res),
        decision: "责任单位启动工资保证金应急支付程序，由总承包单位先行垫付全部劳务费16.8万元，已发放至工人个人账户。",
        agency_commitment: "海宁市人力资源和社会保障局于七个工作日内完成支付，并将发放凭证送达信访人。",
        rating: Good,
    },
    Past {
        title: "烧烤店夜间经营噪音扰民",
        category: "环境噪音",
        district: "海昌街道",
        petitioners: &["林秀英"],
        agencies: &["海宁市综合行政执法局", "海昌街道办事处"],
        summary: "信访人反映楼下烧烤店夜间经营至凌晨，排风设备噪音和油烟影响休息，多次投诉未果，要求依法整治。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位对商户排风设备进行噪音检测并责令限期整改，商户加装隔音罩、营业时间调整至晚十一时前，复测达标。",
        agency_commitment: "海宁市综合行政执法局在整改后三个月内每月夜间巡查不少于两次。",
        rating: Fair,
    },
    Past {
        title: "原乡办企业工龄视同缴费年限认定",
        category: "劳动社保",
        district: "丁桥镇",
        petitioners: &["陈桂芳"],
        agencies: &["海宁市人力资源和社会保障局"],
        summary: "信访人反映其在原乡办企业的工作年限未被认定为视同缴费年限，导致养老金偏低，要求重新核定。",
        risk: Y,
        class: C,
        resolution: Some(Res),
        decision: "责任单位调取原乡办企业档案，认定信访人视同缴费年限4年，重新核定基本养老金并补发差额。",
        agency_commitment: "海宁市人力资源和社会保障局自次月起按新核定标准发放，并一次性补发差额。",
        rating: Good,
    },
    Past {
        title: "房屋征收评估结果异议",
        category: "征地拆迁",
        district: "斜桥镇",
        petitioners: &["钱阿毛"],
        agencies: &["海宁市住房和城乡建设局", "斜桥镇人民政府"],
        summary: "信访人对其房屋征收评估价格有异议，认为评估时未计入装修及附属用房价值，要求重新评估。",
        risk: R,
        class: B,
        resolution: Some(Pro),
        decision: "经听证评议，信访人已就征收补偿决定向人民法院提起行政诉讼，依照规定对本信访事项终结办理，引导信访人通过诉讼途径解决。",
        agency_commitment: "",
        rating: Fair,
    },
    Past {
        title: "安置小区道路停车收费异议",
        category: "物业纠纷",
        district: "盐官镇",
        petitioners: &["王海林"],
        agencies: &["海宁市发展和改革局", "盐官镇人民政府"],
        summary: "信访人反映安置小区物业公司擅自对小区公共道路停车收费，要求停止收费并退还已收费用。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位认定该收费未经业主共同决定，责令物业公司停止收费，已收费用按户退还。",
        agency_commitment: "盐官镇人民政府督促物业公司于二十日内完成退费，并在小区公示退费名单。",
        rating: Good,
    },
    Past {
        title: "家具企业停产拖欠职工工资",
        category: "拖欠工资",
        district: "黄湾镇",
        petitioners: &["沈玉芬", "顾建明"],
        agencies: &["海宁市人力资源和社会保障局", "黄湾镇人民政府"],
        summary: "信访人所在家具企业停产后负责人失联，拖欠三十余名职工两个月工资，要求依法追讨。",
        risk: R,
        class: A,
        resolution: Some(Res),
        decision: "责任单位对欠薪企业资产采取保全措施，协调镇政府先行垫付职工工资43.5万元，并将企业负责人涉嫌拒不支付劳动报酬的线索依法移送。",
        agency_commitment: "黄湾镇人民政府于十日内完成垫付；海宁市人力资源和社会保障局负责后续追偿并向信访人通报进展。",
        rating: Good,
    },
    Past {
        title: "被征地农民养老保障待遇争议",
        category: "征地拆迁",
        district: "袁花镇",
        petitioners: &["俞根法"],
        agencies: &["海宁市人力资源和社会保障局", "袁花镇人民政府"],
        summary: "信访人反映其作为被征地农民参加养老保障时的待遇核定有误，低于同村其他人员，要求按同一标准享受待遇。",
        risk: Y,
        class: A,
        resolution: Some(Unr),
        decision: "经听证评议，评议团多数意见认为责任单位执行的是征地时有效的政策，核定程序并无不当；信访人按后期标准享受待遇的诉求不予支持，已告知其申请复查的途径。",
        agency_commitment: "",
        rating: Bad,
    },
    Past {
        title: "二轮延包承包地面积登记错误",
        category: "农村土地承包",
        district: "长安镇",
        petitioners: &["许福根"],
        agencies: &["海宁市农业农村局", "长安镇人民政府"],
        summary: "信访人反映二轮土地承包延包时其家庭承包地面积少登记0.8亩，要求核实并更正承包经营权证。",
        risk: G,
        class: B,
        resolution: Some(Res),
        decision: "责任单位调取原始承包台账并现场勘测，确认登记有误，已为信访人更正承包合同及经营权证书。",
        agency_commitment: "长安镇人民政府于三十日内完成权证更正并送达信访人。",
        rating: Good,
    },
    Past {
        title: "随迁子女入学积分核算争议",
        category: "教育",
        district: "海昌街道",
        petitioners: &["赵文斌"],
        agencies: &["海宁市教育局"],
        summary: "信访人反映其子女入学积分核算时遗漏其连续缴纳社会保险的年限，未能进入就近学校，要求重新核算。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位复核后确认积分核算遗漏，补记积分并为信访人子女调剂至就近学校就读。",
        agency_commitment: "海宁市教育局于五个工作日内办理调剂入学手续。",
        rating: Good,
    },
    Past {
        title: "经编企业解除劳动合同经济补偿",
        category: "劳动社保",
        district: "许村镇",
        petitioners: &["潘晓燕"],
        agencies: &["海宁市人力资源和社会保障局", "许村镇人民政府"],
        summary: "信访人反映企业以经营困难为由解除劳动合同，未支付经济补偿金，要求按工作年限支付。",
        risk: Y,
        class: B,
        resolution: Some(Res),
        decision: "经评议和现场调解，企业同意按九年工作年限支付经济补偿金5.4万元，已一次性支付。",
        agency_commitment: "许村镇人民政府督促企业于协议签订后五日内一次性支付。",
        rating: Good,
    },
    Past {
        title: "生猪养殖场异味扰民",
        category: "环境保护",
        district: "周王庙镇",
        petitioners: &["蔡永明", "蔡永强"],
        agencies: &["嘉兴市生态环境局海宁分局", "周王庙镇人民政府"],
        summary: "信访人反映村内生猪养殖场粪污处理设施不完善，夏季异味严重，要求整改或搬迁。",
        risk: Y,
        class: B,
        resolution: Some(Res),
        decision: "责任单位责令养殖场限期完成粪污处理设施提升改造并削减存栏量，经第三方检测异味指标达标。",
        agency_commitment: "嘉兴市生态环境局海宁分局在改造完成后连续三个月开展监测，并向信访人通报结果。",
        rating: Good,
    },
    Past {
        title: "社区门诊误诊延误治疗",
        category: "医疗纠纷",
        district: "海洲街道",
        petitioners: &["邱美玲"],
        agencies: &["海宁市卫生健康局"],
        summary: "信访人反映其在某社区卫生服务中心就诊时被误诊为普通胃炎，延误阑尾炎治疗，要求赔偿并追究责任。",
        risk: Y,
        class: B,
        resolution: Some(Res),
        decision: "责任单位组织医疗质量评审，认定接诊医生诊疗不规范并作出处理；医疗机构赔偿信访人医疗费及误工费共1.6万元。",
        agency_commitment: "海宁市卫生健康局督促医疗机构于十日内支付赔偿款，并将整改情况书面告知信访人。",
        rating: Good,
    },
    Past {
        title: "宅前围墙阻碍通行纠纷",
        category: "城乡建设",
        district: "马桥街道",
        petitioners: &["戴志华"],
        agencies: &["海宁市综合行政执法局", "马桥街道办事处"],
        summary: "信访人反映邻居在宅前空地搭建围墙和棚屋，堵塞其出行通道，要求依法拆除。",
        risk: G,
        class: B,
        resolution: Some(Unr),
        decision: "经现场勘查和听证评议，涉案围墙位于邻居宅基地范围内，不属于违法建设，责任单位不予拆除，建议双方经村调委会协商通行问题；信访人不予认可。",
        agency_commitment: "",
        rating: Fair,
    },
    Past {
        title: "物流公司拖欠驾驶员运费和工资",
        category: "拖欠工资",
        district: "丁桥镇",
        petitioners: &["郭强"],
        agencies: &["海宁市人力资源和社会保障局", "丁桥镇人民政府"],
        summary: "信访人等五名驾驶员为某物流公司承运货物，公司以结算争议为由拖欠运费及工资共7.2万元，要求督促支付。",
        risk: Y,
        class: B,
        resolution: Some(Res),
        decision: "经评议调解，物流公司与信访人对账确认欠款6.9万元，分两期于三十日内付清。",
        agency_commitment: "丁桥镇人民政府跟踪督促物流公司按期付款，逾期即移交劳动保障监察处理。",
        rating: Good,
    },
    Past {
        title: "老旧小区改造施工损坏住户设施",
        category: "物业纠纷",
        district: "硖石街道",
        petitioners: &["黄建芳"],
        agencies: &["海宁市住房和城乡建设局", "硖石街道办事处"],
        summary: "信访人反映老旧小区综合改造施工时损坏其家中外墙管线和防盗窗，施工方拒不修复，要求修复并赔偿。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位责成施工单位修复受损管线和防盗窗，并赔偿信访人误工损失1,200元。",
        agency_commitment: "硖石街道办事处于十五日内督促施工单位完成修复，并组织信访人验收。",
        rating: Fair,
    },
    Past {
        title: "分户建房宅基地审批争议",
        category: "国土资源",
        district: "盐官镇",
        petitioners: &["吕国良"],
        agencies: &["海宁市自然资源和规划局", "盐官镇人民政府"],
        summary: "信访人反映其符合分户建房条件，但宅基地申请多年未获审批，要求说明理由并依法审批。",
        risk: Y,
        class: B,
        resolution: Some(Res),
        decision: "责任单位复核后确认信访人符合建房资格，已将其列入本年度宅基地安排计划，并书面告知审批进度。",
        agency_commitment: "盐官镇人民政府于六十日内完成宅基地选址和审批报送。",
        rating: Good,
    },
    Past {
        title: "退役士兵安置待遇落实",
        category: "退役军人",
        district: "海昌街道",
        petitioners: &["严卫国"],
        agencies: &["海宁市退役军人事务局"],
        summary: "信访人系退役士兵，反映原安置单位改制后其工龄及相关待遇未按政策落实，要求予以落实。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位核实其服役年限和安置档案，按政策落实工龄认定，并协调原单位补发相关待遇。",
        agency_commitment: "海宁市退役军人事务局于三十日内协调落实待遇，并安排专人回访。",
        rating: Good,
    },
    Past {
        title: "重点工程临时用地复垦补偿",
        category: "征地拆迁",
        district: "黄湾镇",
        petitioners: &["金伟明"],
        agencies: &["海宁市自然资源和规划局", "黄湾镇人民政府"],
        summary: "信访人反映重点工程临时占用其承包地期满后未按约复垦，导致无法耕种，要求复垦并补偿损失。",
        risk: Y,
        class: A,
        resolution: Some(Res),
        decision: "责任单位责成建设单位于一个月内完成土地复垦，并按合同标准补偿延期占用损失2.1万元。",
        agency_commitment: "黄湾镇人民政府监督复垦施工，复垦完成后组织信访人共同验收。",
        rating: Good,
    },
    Past {
        title: "商品房渗漏维修责任争议",
        category: "城乡建设",
        district: "海洲街道",
        petitioners: &["孔令华"],
        agencies: &["海宁市住房和城乡建设局"],
        summary: "信访人反映所购商品房交付后外墙及卫生间多次渗漏，开发商维修不彻底，要求责令开发商彻底维修并赔偿损失。",
        risk: Y,
        class: B,
        resolution: Some(Unr),
        decision: "经听证评议，责任单位已督促开发商两次维修；评议团认为赔偿损失属民事争议，建议信访人通过诉讼解决；信访人坚持要求行政机关责令赔偿，未能化解。",
        agency_commitment: "",
        rating: Fair,
    },
    Past {
        title: "门诊慢性病待遇认定",
        category: "医疗保障",
        district: "斜桥镇",
        petitioners: &["方桂英"],
        agencies: &["海宁市医疗保障局"],
        summary: "信访人患糖尿病多年，申请门诊慢性病待遇被以材料不全为由退回，要求重新认定。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位指导信访人补充病历材料，经专家复核认定符合门诊慢性病待遇条件，自申请之日起享受待遇。",
        agency_commitment: "海宁市医疗保障局于十个工作日内办结认定，并追溯报销相关门诊费用。",
        rating: Good,
    },
    Past {
        title: "家纺企业加班费争议",
        category: "拖欠工资",
        district: "许村镇",
        petitioners: &["冯晓红", "叶美芳"],
        agencies: &["海宁市人力资源和社会保障局", "许村镇人民政府"],
        summary: "信访人等反映企业长期安排延长工作时间，未依法支付加班费，要求补发。",
        risk: Y,
        class: B,
        resolution: Some(Res),
        decision: "责任单位依据考勤记录核算加班费，企业同意补发信访人等八人加班费共3.8万元，并调整排班制度。",
        agency_commitment: "许村镇人民政府督促企业于二十日内补发，并于两个月内复查排班执行情况。",
        rating: Good,
    },
    Past {
        title: "村道拓宽占用自留地补偿",
        category: "交通运输",
        district: "周王庙镇",
        petitioners: &["唐建中"],
        agencies: &["海宁市交通运输局", "周王庙镇人民政府"],
        summary: "信访人反映村道拓宽工程占用其自留地约0.3亩，未予补偿，要求按标准补偿。",
        risk: G,
        class: B,
        resolution: Some(Pro),
        decision: "听证评议后，经村民委员会协调，信访人与村集体就占地补偿自行达成协议，信访人撤回信访请求，本事项按程序办结。",
        agency_commitment: "",
        rating: Good,
    },
    Past {
        title: "工业园区企业夜间生产噪音",
        category: "环境噪音",
        district: "马桥街道",
        petitioners: &["钟卫民"],
        agencies: &["嘉兴市生态环境局海宁分局", "马桥街道办事处"],
        summary: "信访人反映住宅附近工业园区某企业夜间冲压设备噪音扰民，要求限制夜间生产。",
        risk: Y,
        class: C,
        resolution: Some(Res),
        decision: "责任单位对企业夜间噪音进行监测并责令整改；企业将冲压工序调整至白天并加装减振基座，复测达标。",
        agency_commitment: "嘉兴市生态环境局海宁分局在整改后每月开展一次夜间监测，连续三个月。",
        rating: Good,
    },
    Past {
        title: "小区电动自行车充电设施不足",
        category: "物业纠纷",
        district: "长安镇",
        petitioners: &["田海燕"],
        agencies: &["海宁市住房和城乡建设局", "长安镇人民政府"],
        summary: "信访人反映小区电动自行车充电设施不足，居民飞线充电存在安全隐患，要求增设集中充电设施。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位会同物业公司在小区增设集中充电车棚两处、充电端口80个，并开展飞线充电清理。",
        agency_commitment: "长安镇人民政府于四十五日内完成充电设施建设，并组织消防安全检查。",
        rating: Good,
    },
    Past {
        title: "失业保险金申领争议",
        category: "劳动社保",
        district: "硖石街道",
        petitioners: &["宋佳"],
        agencies: &["海宁市人力资源和社会保障局"],
        summary: "信访人被用人单位解除劳动合同后申领失业保险金，被以本人主动离职为由拒绝，信访人对此有异议。",
        risk: G,
        class: C,
        resolution: Some(Res),
        decision: "责任单位调查核实离职原因，认定系用人单位解除劳动合同，为信访人办理失业保险金申领手续并补发应领待遇。",
        agency_commitment: "海宁市人力资源和社会保障局于五个工作日内办结申领手续。",
        rating: Good,
    },
    Past {
        title: "外嫁女集体经济组织成员资格认定",
        category: "农村土地承包",
        district: "海昌街道",
        petitioners: &["徐佩芬"],
        agencies: &["海宁市农业农村局", "海昌街道办事处"],
        summary: "信访人系外嫁女，户籍仍在本村，反映村股份经济合作社不认可其成员资格，未向其分配征地补偿款和股份分红，要求确认资格并分配。",
        risk: R,
        class: A,
        resolution: None,
        decision: "",
        agency_commitment: "",
        rating: Good,
    },
    Past {
        title: "养老机构护理不当致老人骨折",
        category: "民政",
        district: "袁花镇",
        petitioners: &["应志刚"],
        agencies: &["海宁市民政局", "袁花镇人民政府"],
        summary: "信访人父亲入住镇养老院期间跌倒骨折，信访人认为护理不到位，要求养老机构承担医疗费用并整改。",
        risk: Y,
        class: B,
        resolution: None,
        decision: "",
        agency_commitment: "",
        rating: Good,
    },
];

/// A later case petitioned again after a history hearing (重复信访).
struct Repeat {
    /// Index into [`PAST`] of the earlier hearing.
    earlier: usize,
    title: &'static str,
    summary: &'static str,
    received_days_ago: i64,
    accepted_days_ago: i64,
}

const REPEATS: [Repeat; 2] = [
    Repeat {
        earlier: 11,
        title: "被征地农民养老保障待遇争议（再次信访）",
        summary: "信访人就被征地农民养老保障待遇问题再次来访，仍要求按同村其他人员的标准享受待遇。",
        received_days_ago: 19,
        accepted_days_ago: 17,
    },
    Repeat {
        earlier: 23,
        title: "商品房渗漏赔偿争议（再次信访）",
        summary: "信访人反映开发商维修后房屋仍有渗漏，再次要求责任单位责令开发商赔偿损失。",
        received_days_ago: 9,
        accepted_days_ago: 8,
    },
];

const PETITIONER_COMMITMENTS: [&str; 3] = [
    "信访人承诺尊重听证评议结果，配合责任单位落实处理意见，不再就同一事项重复信访。",
    "信访人承诺依法理性表达诉求，按约定配合办理相关手续，承诺事项履行完毕后息诉罢访。",
    "信访人承诺责任单位履行承诺后不再就本事项信访，如有新的问题通过法定途径反映。",
];

/// Staff of the demo office who do the visits and record what follows a hearing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Staff {
    Host,
    Clerk,
}

/// A case as written: every column of `cases` the history fills.
#[derive(Clone, Debug)]
pub struct CaseRow {
    pub number: String,
    pub title: String,
    pub summary: String,
    pub petitioners: Vec<String>,
    pub agencies: Vec<String>,
    pub district: String,
    pub category: String,
    pub risk: RiskColour,
    pub class: ProgressClass,
    pub status: CaseStatus,
    pub received_on: CalendarDate,
    pub accepted_on: CalendarDate,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(Clone, Debug)]
pub struct OutcomeRow {
    pub decision: String,
    pub decided_on: CalendarDate,
    pub resolution: Resolution,
    pub recorded_at_ms: i64,
}

#[derive(Clone, Debug)]
pub struct CommitmentRow {
    pub agency_text: String,
    pub petitioner_text: String,
    pub agency_by: String,
    pub agency_at_ms: i64,
    pub petitioner_by: String,
    pub petitioner_at_ms: i64,
    pub drafted_at_ms: i64,
}

#[derive(Clone, Debug)]
pub struct VisitRow {
    pub due_on: CalendarDate,
    pub assignee: Staff,
    /// When it was made and what was found; `None` while still to make.
    pub done: Option<(CalendarDate, String)>,
}

#[derive(Clone, Debug)]
pub struct RatingRow {
    pub rating: Satisfaction,
    pub comment: String,
    /// `petitioner` or `staff`.
    pub source: &'static str,
    /// The petitioner's name, or `None` for the clerk who phoned.
    pub by_petitioner: Option<String>,
    pub at_ms: i64,
}

/// One history hearing with its case and everything that followed it.
#[derive(Clone, Debug)]
pub struct HearingRow {
    pub case: CaseRow,
    pub held_on: CalendarDate,
    pub starts_at_ms: i64,
    pub duration_min: u32,
    pub room: String,
    pub outcome: Option<OutcomeRow>,
    pub commitment: Option<CommitmentRow>,
    pub visits: Vec<VisitRow>,
    pub rating: RatingRow,
}

/// A new case marked as a repeat of history hearing `earlier`.
#[derive(Clone, Debug)]
pub struct RepeatRow {
    pub case: CaseRow,
    pub earlier: usize,
    pub marked_at_ms: i64,
}

#[derive(Clone, Debug)]
pub struct History {
    /// In the order they were held.
    pub hearings: Vec<HearingRow>,
    pub repeats: Vec<RepeatRow>,
}

/// `day` at `hour:minute` Beijing time, in epoch milliseconds.
fn at(day: CalendarDate, hour: i64, minute: i64) -> i64 {
    day.start_ms(CHINA_OFFSET_SECONDS) + (hour * 60 + minute) * 60_000
}

/// The days the history hearings were held: spread evenly over the default
/// period from its first month to 35 days ago, on weekdays, in order.
pub fn hearing_days(today: CalendarDate) -> Vec<CalendarDate> {
    let first_month = YearMonth::of(today).back(12);
    let start = CalendarDate::new(first_month.year, first_month.month, 1).unwrap_or(today);
    let last = today.plus_days(-MIN_DAYS_AGO);
    let span = start.days_until(last);
    let steps = (HEARINGS - 1) as i64;
    (0..HEARINGS as i64)
        .map(|i| {
            let day = start.plus_days(3 + i * (span - 4) / steps);
            match day.weekday_from_monday() {
                5 => day.plus_days(-1),
                6 if day.plus_days(1) <= last => day.plus_days(1),
                6 => day.plus_days(-2),
                _ => day,
            }
        })
        .collect()
}

/// Case numbers the tests, the import examples and the docs create: never used here.
fn reserved(n: u32) -> bool {
    matches!(n, 1..=4 | 7 | 9 | 200..=206 | 301 | 302 | 801 | 802 | 900 | 901)
}

fn case_number(year: i32, n: u32) -> String {
    format!("海宁信访〔{year}〕{n}号")
}

/// The next free number at or after `n` in `year`.
fn free_number(year: i32, mut n: u32) -> u32 {
    while reserved(n) || crate::demo::is_demo_case(&case_number(year, n)) {
        n += 1;
    }
    n
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn visit_note(resolution: Resolution, i: usize, second: bool) -> String {
    let notes: &[&str] = match resolution {
        Resolution::Resolved => &[
            "电话回访：信访人表示责任单位已按承诺落实，对处理结果满意，无新的诉求。",
            "上门回访：承诺事项已全部兑现，信访人生产生活正常，表示不再信访。",
            "电话回访：款项已到账，信访人表示认可，感谢评议团和责任单位。",
            "上门回访：整改措施落实到位，信访人及周边群众反映良好。",
        ],
        Resolution::Unresolved => &[
            "上门回访：信访人仍坚持原诉求，已再次释明政策依据并告知复查、复核途径。",
            "电话回访：信访人情绪平稳，但对处理意见仍有保留，属地将继续做好疏导工作。",
        ],
        Resolution::Procedural => &[
            "电话回访：信访人表示已通过法定途径主张权利，尊重最终处理结果。",
            "电话回访：信访人确认已自行和解，无新的诉求。",
        ],
    };
    notes[(i + usize::from(second)) % notes.len()].to_owned()
}

fn rating_comment(rating: Satisfaction, i: usize) -> String {
    match rating {
        Satisfaction::Dissatisfied => "认为待遇核定标准仍然偏低，不认可处理结果。".into(),
        Satisfaction::FairlySatisfied => [
            "对听证过程认可，希望承诺事项尽快落实。",
            "处理程序公开，但结果与期望仍有差距。",
        ][i % 2]
            .into(),
        Satisfaction::Satisfied => match i % 4 {
            0 => "听证过程公开公正，感谢评议员耐心听取意见。".into(),
            2 => "问题得到解决，满意。".into(),
            _ => String::new(),
        },
    }
}

/// Everything the history holds, computed from `today` alone (no database).
pub fn plan(today: CalendarDate) -> History {
    let days = hearing_days(today);
    let mut numbers: Vec<(i32, u32)> = Vec::new();
    let mut hearings: Vec<HearingRow> = Vec::new();
    for (i, (past, held_on)) in PAST.iter().zip(days).enumerate() {
        let ii = i as i64;
        // Received one to four weeks before the hearing, accepted within three days.
        let received_on = held_on.plus_days(-(7 + (ii * 11) % 22));
        let accepted_on = received_on.plus_days(1 + ii % 3);
        let year = received_on.year();
        let next = numbers
            .iter()
            .rev()
            .find(|(y, _)| *y == year)
            .map_or(10, |(_, n)| (n + 2 + (i as u32 % 3)).max(10));
        let n = free_number(year, next);
        numbers.push((year, n));
        let (hour, minute) = if i % 2 == 0 { (9, 0) } else { (14, 30) };
        let outcome = past.resolution.map(|resolution| {
            let decided_on = held_on.plus_days(3 + (ii * 5) % 13);
            OutcomeRow {
                decision: past.decision.to_owned(),
                decided_on,
                resolution,
                recorded_at_ms: at(decided_on, 16, 30),
            }
        });
        let commitment = outcome
            .as_ref()
            .filter(|o| o.resolution == Resolution::Resolved)
            .map(|o| CommitmentRow {
                agency_text: past.agency_commitment.to_owned(),
                petitioner_text: PETITIONER_COMMITMENTS[i % PETITIONER_COMMITMENTS.len()]
                    .to_owned(),
                agency_by: past.agencies[past.agencies.len() - 1].to_owned(),
                agency_at_ms: at(o.decided_on.plus_days(1), 10, 0),
                petitioner_by: past.petitioners[0].to_owned(),
                petitioner_at_ms: at(o.decided_on.plus_days(2), 15, 20),
                drafted_at_ms: at(o.decided_on, 17, 0),
            });
        let visits = outcome
            .as_ref()
            .map(|o| {
                [30, 90]
                    .into_iter()
                    .enumerate()
                    .map(|(k, days)| {
                        let due_on = o.decided_on.plus_days(days);
                        let done = (due_on < today).then(|| {
                            // Most visits are made a day or two either side of the due day.
                            let made = due_on
                                .plus_days((ii + k as i64) % 4 - 2)
                                .min(today.plus_days(-1))
                                .max(o.decided_on);
                            (made, visit_note(o.resolution, i, k == 1))
                        });
                        VisitRow {
                            due_on,
                            assignee: if (i + k) % 2 == 0 {
                                Staff::Host
                            } else {
                                Staff::Clerk
                            },
                            done,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let from_petitioner = i % 3 != 1;
        let rated_on = outcome
            .as_ref()
            .map_or(held_on.plus_days(1), |o| o.decided_on.plus_days(2));
        let rating = RatingRow {
            rating: past.rating,
            comment: rating_comment(past.rating, i),
            source: if from_petitioner {
                "petitioner"
            } else {
                "staff"
            },
            by_petitioner: from_petitioner.then(|| past.petitioners[0].to_owned()),
            at_ms: at(rated_on, 10, 30),
        };
        let updated_on = outcome.as_ref().map_or(held_on, |o| o.decided_on);
        hearings.push(HearingRow {
            case: CaseRow {
                number: case_number(year, n),
                title: past.title.to_owned(),
                summary: past.summary.to_owned(),
                petitioners: strings(past.petitioners),
                agencies: strings(past.agencies),
                district: past.district.to_owned(),
                category: past.category.to_owned(),
                risk: past.risk,
                class: past.class,
                status: CaseStatus::Concluded,
                received_on,
                accepted_on,
                created_at_ms: at(received_on, 9, 40),
                updated_at_ms: at(updated_on, 17, 10),
            },
            held_on,
            starts_at_ms: at(held_on, hour, minute),
            duration_min: 90 + 30 * (i as u32 % 3),
            room: match i % 3 {
                0 => "海宁市信访局听证室（一）".into(),
                1 => "海宁市信访局听证室（二）".into(),
                _ => format!("{}矛盾纠纷调处化解中心", past.district),
            },
            outcome,
            commitment,
            visits,
            rating,
        });
    }
    leave_overdue(&mut hearings, today);
    let repeats = REPEATS
        .iter()
        .enumerate()
        .map(|(k, repeat)| {
            let earlier = &PAST[repeat.earlier];
            let received_on = today.plus_days(-repeat.received_days_ago);
            let accepted_on = today.plus_days(-repeat.accepted_days_ago);
            let year = received_on.year();
            let n = free_number(year, 146 + 3 * k as u32);
            RepeatRow {
                case: CaseRow {
                    number: case_number(year, n),
                    title: repeat.title.to_owned(),
                    summary: repeat.summary.to_owned(),
                    petitioners: strings(earlier.petitioners),
                    agencies: strings(earlier.agencies),
                    district: earlier.district.to_owned(),
                    category: earlier.category.to_owned(),
                    risk: earlier.risk,
                    class: earlier.class,
                    status: CaseStatus::Accepted,
                    received_on,
                    accepted_on,
                    created_at_ms: at(received_on, 10, 15),
                    updated_at_ms: at(accepted_on, 11, 0),
                },
                earlier: repeat.earlier,
                marked_at_ms: at(accepted_on, 11, 5),
            }
        })
        .collect();
    History { hearings, repeats }
}

/// Of the visits due more than ten days ago, a few were never made.
fn leave_overdue(hearings: &mut [HearingRow], today: CalendarDate) {
    let mut late: Vec<(CalendarDate, usize, usize)> = hearings
        .iter()
        .enumerate()
        .flat_map(|(h, row)| {
            row.visits
                .iter()
                .enumerate()
                .filter(|(_, v)| v.due_on < today.plus_days(-10))
                .map(move |(k, v)| (v.due_on, h, k))
        })
        .collect();
    late.sort_by(|a, b| b.cmp(a));
    for rank in OVERDUE_RANKS {
        if let Some((_, h, k)) = late.get(rank) {
            hearings[*h].visits[*k].done = None;
        }
    }
}

/// The seven members who served on each history hearing: the sortition's own
/// draw (the demo pool with its quotas), seeded by the hearing's day, so that
/// service over the year is as uneven as a fair lottery makes it. The demo
/// juror 刘评议 (M046) is left out, so that his account shows only the demo's
/// own hearings; M097 and M099 are paused in the demo pool.
pub fn panels(days: &[CalendarDate]) -> anyhow::Result<Vec<Vec<String>>> {
    use app::domain::sortition::{self, DrawInput, Exclusion, ExclusionKind};
    let input = DrawInput {
        algorithm_version: sortition::ALGORITHM_VERSION,
        // The history was drawn once in the first format; the same format keeps
        // the demo's past panels (and every figure built on them) unchanged.
        input_format: 1,
        pool: sortition::demo_pool(),
        panel_size: 7,
        alternates: 0,
        quotas: sortition::demo_quotas(),
        excluded: vec![
            Exclusion::new(
                "M046",
                ExclusionKind::Other,
                "演示评议员账号，不计入历史数据",
            ),
            Exclusion::new("M097", ExclusionKind::Other, "暂停"),
            Exclusion::new("M099", ExclusionKind::Other, "暂停"),
        ],
    };
    let prepared = sortition::prepare(&input)
        .map_err(|e| anyhow::anyhow!("history draw: {}", e.message_zh()))?;
    Ok(days
        .iter()
        .map(|day| {
            let seed = sortition::seed_from(prepared.input_hash(), &[format!("历史听证 {day}")]);
            prepared.draw(seed).seated
        })
        .collect())
}

fn search_text(case: &CaseRow) -> String {
    let mut parts = vec![
        case.number.as_str(),
        case.title.as_str(),
        case.summary.as_str(),
        case.category.as_str(),
    ];
    parts.extend(case.petitioners.iter().map(String::as_str));
    parts.extend(case.agencies.iter().map(String::as_str));
    parts.join("\n").to_lowercase()
}

/// Writes a case and its first history entry; returns its id.
async fn insert_case(
    conn: &mut sqlx::AnyConnection,
    case: &CaseRow,
    investigator: &str,
    (actor, actor_id, change): (&str, Option<&str>, &str),
) -> anyhow::Result<String> {
    let id = new_id();
    let names = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO cases (id, number, title, summary, petitioners, agencies, received_on, \
         accepted_on, category, risk, class, status, investigator_id, version, created_at, \
         updated_at, search_text, district) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $16, $17)",
    )
    .bind(&id)
    .bind(&case.number)
    .bind(&case.title)
    .bind(&case.summary)
    .bind(names(&case.petitioners))
    .bind(names(&case.agencies))
    .bind(case.received_on.to_string())
    .bind(case.accepted_on.to_string())
    .bind(&case.category)
    .bind(case.risk.code())
    .bind(case.class.code())
    .bind(case.status.code())
    .bind(investigator)
    .bind(case.created_at_ms)
    .bind(case.updated_at_ms)
    .bind(search_text(case))
    .bind(&case.district)
    .execute(&mut *conn)
    .await?;
    // The case as `CaseDraft` serialises it (district too: unknown keys are ignored).
    let after = serde_json::json!({
        "number": case.number,
        "title": case.title,
        "petitioners": case.petitioners,
        "agencies": case.agencies,
        "summary": case.summary,
        "received_on": case.received_on,
        "accepted_on": case.accepted_on,
        "category": case.category,
        "risk": case.risk,
        "class": case.class,
        "status": case.status,
        "investigator_id": investigator,
        "district": case.district,
    });
    sqlx::query(
        "INSERT INTO case_changes (id, case_id, at_ms, actor, actor_id, change, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
    )
    .bind(new_id())
    .bind(&id)
    .bind(case.created_at_ms)
    .bind(actor)
    .bind(actor_id)
    .bind(change)
    .bind(after.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Loads the history into the demo database (called once, by `demo::load`, when
/// the database was empty). `host` and `clerk` are the demo staff accounts.
pub async fn load(db: &Db, host: &str, clerk: &str) -> anyhow::Result<()> {
    let today = app::scheduling::OfficeClock::now(CHINA_OFFSET_SECONDS).today();
    let history = plan(today);
    let days: Vec<CalendarDate> = history.hearings.iter().map(|h| h.held_on).collect();
    let panels = panels(&days)?;
    let host_name = crate::demo::DEMO_ACCOUNTS[1].1;
    let clerk_name = crate::demo::DEMO_ACCOUNTS[2].1;
    let staff = |who: Staff| match who {
        Staff::Host => (host, host_name),
        Staff::Clerk => (clerk, clerk_name),
    };
    let importer = Changer {
        name: IMPORTER.into(),
        id: None,
        via_api: false,
    };

    let mut tx = db.begin_write().await?;
    let accounts: std::collections::HashMap<String, String> =
        sqlx::query("SELECT id, account_id FROM pool_members")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("account_id")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let mut hearing_ids = Vec::with_capacity(history.hearings.len());
    for (row, panel) in history.hearings.iter().zip(&panels) {
        let case_id = insert_case(&mut tx, &row.case, clerk, (IMPORTER, None, "imported")).await?;
        let plan = HearingPlan {
            title: format!("关于{}的听证评议会", row.case.title),
            kind: HearingKind::Closed,
            starts_at_ms: row.starts_at_ms,
            duration_min: row.duration_min,
            room: Some(row.room.clone()),
            online: false,
            host_id: host.into(),
            clerk_id: Some(clerk.into()),
            panel_size: 7,
            questions: vec!["信访人诉求是否合理".into()],
            short_notice_reason: None,
            quotas: app::domain::sortition::default_quotas(7),
        };
        let hearing =
            app::db::hearings::insert_planned(&mut tx, &case_id, &plan, &importer).await?;
        // Held on paper, at the time the earlier system recorded: it has no
        // log here, so the import states when it opened and closed.
        sqlx::query("UPDATE hearings SET opened_at = starts_at, closed_at = $1 WHERE id = $2")
            .bind(row.starts_at_ms + i64::from(row.duration_min) * 60_000)
            .bind(&hearing)
            .execute(&mut *tx)
            .await?;
        // Seated a week before, accepted two days later.
        for member in panel {
            let account = accounts
                .get(member)
                .ok_or_else(|| anyhow::anyhow!("demo pool has no member {member}"))?;
            sqlx::query(
                "INSERT INTO panel_seats (hearing_id, account_id, seated_at, status, member_id, reason, changed_at) \
                 VALUES ($1, $2, $3, 'accepted', $4, NULL, $5)",
            )
            .bind(&hearing)
            .bind(account)
            .bind(at(row.held_on.plus_days(-7), 10, 0))
            .bind(member)
            .bind(at(row.held_on.plus_days(-5), 16, 0))
            .execute(&mut *tx)
            .await?;
        }
        if let Some(outcome) = &row.outcome {
            sqlx::query(
                "INSERT INTO hearing_outcomes (hearing_id, decision, decided_on, resolution, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&hearing)
            .bind(&outcome.decision)
            .bind(outcome.decided_on.to_string())
            .bind(outcome.resolution.code())
            .bind(host_name)
            .bind(outcome.recorded_at_ms)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(c) = &row.commitment {
            // Both sides confirmed in the app (on paper would need the signed scan).
            sqlx::query(
                "INSERT INTO commitments (hearing_id, agency_text, petitioner_text, agency_confirmed_by, \
                 agency_confirmed_at, agency_on_paper, petitioner_confirmed_by, petitioner_confirmed_at, \
                 petitioner_on_paper, scan_sha256, scan_kind, drafted_by, drafted_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, $6, $7, 0, NULL, NULL, $8, $9)",
            )
            .bind(&hearing)
            .bind(&c.agency_text)
            .bind(&c.petitioner_text)
            .bind(&c.agency_by)
            .bind(c.agency_at_ms)
            .bind(&c.petitioner_by)
            .bind(c.petitioner_at_ms)
            .bind(clerk_name)
            .bind(c.drafted_at_ms)
            .execute(&mut *tx)
            .await?;
        }
        for visit in &row.visits {
            let (assignee, name) = staff(visit.assignee);
            let done = visit.done.as_ref();
            sqlx::query(
                "INSERT INTO follow_ups (id, hearing_id, due_on, assignee_id, done_on, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new_id())
            .bind(&hearing)
            .bind(visit.due_on.to_string())
            .bind(assignee)
            .bind(done.map(|(day, _)| day.to_string()))
            .bind(done.map(|(_, note)| note.clone()))
            .bind(done.map(|_| name.to_owned()))
            .bind(done.map(|(day, _)| at(*day, 16, 40)))
            .execute(&mut *tx)
            .await?;
        }
        let rating = &row.rating;
        sqlx::query(
            "INSERT INTO satisfaction_ratings (id, hearing_id, rating, comment, source, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(&hearing)
        .bind(rating.rating.code())
        .bind(&rating.comment)
        .bind(rating.source)
        .bind(rating.by_petitioner.as_deref().unwrap_or(clerk_name))
        .bind(rating.at_ms)
        .execute(&mut *tx)
        .await?;
        hearing_ids.push(hearing);
    }
    for repeat in &history.repeats {
        let case_id = insert_case(
            &mut tx,
            &repeat.case,
            clerk,
            (clerk_name, Some(clerk), "created"),
        )
        .await?;
        sqlx::query(
            "INSERT INTO repeat_petitions (case_id, earlier_hearing_id, marked_by, marked_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&case_id)
        .bind(&hearing_ids[repeat.earlier])
        .bind(clerk_name)
        .bind(repeat.marked_at_ms)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use app::domain::case::DeadlinePolicy;
    use app::domain::stats::{HeldHearing, StatsData, StatsFilter, dashboard};

    fn day(raw: &str) -> CalendarDate {
        raw.parse().unwrap()
    }

    /// Every day over three years: the history fits the default period.
    fn todays() -> impl Iterator<Item = CalendarDate> {
        let first = day("2026-01-01");
        (0..3 * 366).map(move |d| first.plus_days(d))
    }

    /// The dashboard's data as the database would give it: the history and the
    /// demo's own held hearing (107号, opened today when the demo is loaded).
    fn stats_data(history: &History, today: CalendarDate) -> StatsData {
        let panels: Vec<Vec<String>> = vec![Vec::new(); history.hearings.len()];
        let mut hearings: Vec<HeldHearing> = history
            .hearings
            .iter()
            .zip(panels)
            .enumerate()
            .map(|(i, (h, served))| HeldHearing {
                case_number: h.case.number.clone(),
                district: h.case.district.clone(),
                held_on: h.held_on,
                resolution: h.outcome.as_ref().map(|o| o.resolution),
                repeated: history.repeats.iter().any(|r| r.earlier == i),
                rating: Some(h.rating.rating),
                served,
            })
            .collect();
        hearings.push(HeldHearing {
            case_number: "海宁信访〔2026〕107号".into(),
            district: String::new(),
            held_on: today,
            resolution: None,
            repeated: false,
            rating: None,
            served: Vec::new(),
        });
        StatsData {
            hearings,
            ..StatsData::default()
        }
    }

    #[test]
    fn the_default_period_shows_haining_and_weifang_figures() {
        for today in todays() {
            let history = plan(today);
            let filter = StatsFilter::last_twelve_months(today);
            let board = dashboard(
                &stats_data(&history, today),
                &filter,
                &DeadlinePolicy::default(),
                today,
            );
            assert_eq!(board.no_repeat.percent_text(), "93.94%", "{today}");
            assert_eq!((board.no_repeat.count, board.no_repeat.of), (31, 33));
            assert_eq!(board.resolution.percent_text(), "80.00%", "{today}");
            assert_eq!((board.resolution.count, board.resolution.of), (24, 30));
            assert_eq!(board.satisfaction.percent_text(), "96.88%", "{today}");
            let counts: Vec<u32> = board.satisfaction_counts.iter().map(|c| c.1).collect();
            assert_eq!(counts, [25, 6, 1]);
            let held: u32 = board.held_per_month.iter().map(|m| m.1).sum();
            assert_eq!(held, 33, "{today}");
        }
    }

    #[test]
    fn hearings_are_weekdays_in_order_two_to_four_a_month() {
        for today in todays() {
            let days = hearing_days(today);
            let last = today.plus_days(-MIN_DAYS_AGO);
            let filter = StatsFilter::last_twelve_months(today);
            assert!(days.windows(2).all(|w| w[0] < w[1]), "{today}: {days:?}");
            for d in &days {
                assert!(filter.covers(*d) && *d <= last, "{today}: {d}");
                assert!(d.weekday_from_monday() < 5, "{today}: {d}");
            }
            // Each whole month before the last one has two to four.
            for month in filter.months() {
                let end = CalendarDate::new(month.next().year, month.next().month, 1)
                    .unwrap()
                    .plus_days(-1);
                if end > last {
                    continue;
                }
                let n = days.iter().filter(|d| month.contains(**d)).count();
                assert!((2..=4).contains(&n), "{today}: {month} has {n}");
            }
        }
    }

    #[test]
    fn what_followed_each_hearing_is_consistent() {
        for today in todays().step_by(5) {
            let history = plan(today);
            let rows = &history.hearings;
            let mut numbers: Vec<&str> = rows.iter().map(|h| h.case.number.as_str()).collect();
            numbers.extend(history.repeats.iter().map(|r| r.case.number.as_str()));
            let mut unique = numbers.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), numbers.len(), "{numbers:?}");
            for n in &numbers {
                assert!(!crate::demo::is_demo_case(n), "{n}");
                assert!(!n.contains("〕107号") && !n.contains("〕123号"), "{n}");
            }
            let mut overdue = 0;
            let now = at(today, 0, 0);
            for (i, h) in rows.iter().enumerate() {
                let received = h.case.received_on.days_until(h.held_on);
                assert!((7..=28).contains(&received), "{received}");
                assert!(h.case.accepted_on < h.held_on);
                assert!(h.rating.at_ms < now);
                assert_eq!(
                    h.outcome.is_none(),
                    i >= 30,
                    "the two latest have no outcome"
                );
                let Some(o) = &h.outcome else {
                    assert!(h.visits.is_empty() && h.commitment.is_none());
                    continue;
                };
                assert!((3..=15).contains(&h.held_on.days_until(o.decided_on)));
                assert_eq!(h.commitment.is_some(), o.resolution == Resolution::Resolved);
                assert_eq!(h.visits.len(), 2);
                for v in &h.visits {
                    match &v.done {
                        Some((made, note)) => {
                            assert!(*made >= o.decided_on && *made < today && !note.is_empty());
                        }
                        None if v.due_on < today => {
                            assert!(v.due_on < today.plus_days(-10));
                            overdue += 1;
                        }
                        None => {}
                    }
                }
            }
            assert_eq!(overdue, 3, "{today}");
            for r in &history.repeats {
                let earlier = rows[r.earlier].held_on;
                assert!(r.case.received_on > earlier);
                assert!(today.plus_days(-61) <= r.case.received_on);
                assert!(r.marked_at_ms < now);
            }
            let resolutions = |r: Resolution| {
                rows.iter()
                    .filter(|h| h.outcome.as_ref().is_some_and(|o| o.resolution == r))
                    .count()
            };
            assert_eq!(
                [
                    Resolution::Resolved,
                    Resolution::Unresolved,
                    Resolution::Procedural
                ]
                .map(resolutions),
                [24, 4, 2]
            );
        }
    }

    #[test]
    fn no_text_matches_what_the_tests_search_for() {
        for p in &PAST {
            for text in [p.title, p.summary, p.decision] {
                assert!(
                    !text.contains("社保补缴") && !text.contains("加装电梯"),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn panels_are_fair_draws_with_uneven_service() {
        let today = day("2026-12-01");
        let days = hearing_days(today);
        let panels = panels(&days).unwrap();
        assert_eq!(panels.len(), HEARINGS);
        let mut times = std::collections::BTreeMap::<String, u32>::new();
        for panel in &panels {
            assert_eq!(panel.len(), 7);
            assert!(
                !panel
                    .iter()
                    .any(|m| m == "M046" || m == "M097" || m == "M099")
            );
            for m in panel {
                *times.entry(m.clone()).or_default() += 1;
            }
        }
        let never = 97 - times.len();
        let one_to_four = times.values().filter(|n| (1..=4).contains(*n)).count();
        assert!(never > 0, "some members never served");
        assert!(
            one_to_four > 97 / 2,
            "most served one to four times: {times:?}"
        );
    }
}
